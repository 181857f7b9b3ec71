/* test_store.c - the store over SQLite: schema tokens, migration of a
 * version 1 store, results per sensor, re-runs, aborted runs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sqlite3.h>

#include "analysis/decide.h"
#include "store/store.h"
#include "store/store_int.h"

static char dbpath[64];

static void unlink_db(void)
{
	char p[80];
	unlink(dbpath);
	snprintf(p, sizeof p, "%s-wal", dbpath);
	unlink(p);
	snprintf(p, sizeof p, "%s-shm", dbpath);
	unlink(p);
	snprintf(p, sizeof p, "%s-journal", dbpath);
	unlink(p);
}

static int setup(void **state)
{
	(void)state;
	snprintf(dbpath, sizeof dbpath, "/tmp/mxtest-store-%d.db", (int)getpid());
	unlink_db();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink_db();
	return 0;
}

static struct attempt mk(uint64_t id, const char *src, uint16_t sport, int64_t first_ns)
{
	struct attempt a;
	memset(&a, 0, sizeof a);
	a.id = id;
	assert_int_equal(addr_parse(src, &a.src), 0);
	addr_parse(a.src.family == 4 ? "192.0.2.25" : "2001:db8:25::25", &a.dst);
	a.sport = sport;
	a.dport = 25;
	a.first_ns = a.last_ns = first_ns;
	a.syns = 1;
	a.ttl = 50;
	a.ittl = 64;
	a.wscale = -1;
	return a;
}

/* grab - every value of every row, '|'-separated, NULL as '-' */
static int grab(int n, const char *const *names, const char *const *vals, void *arg)
{
	(void)names;
	char *out = arg;
	for (int i = 0; i < n; i++) {
		size_t len = strlen(out);
		snprintf(out + len, 1024 - len, "%s%s", len ? "|" : "", vals[i] ? vals[i] : "-");
	}
	return 0;
}

static void q(struct store *st, const char *sql, char *out)
{
	out[0] = '\0';
	assert_int_equal(store_query(st, sql, NULL, 0, grab, out), 0);
}

static void qs(struct store *st, const char *sql, const char *sensor, char *out)
{
	const char *p[1] = { sensor };
	out[0] = '\0';
	assert_int_equal(store_query(st, sql, p, 1, grab, out), 0);
}

/* decided_begin - a run of sensor begun, and a decider for it that
 * takes any evidence */
static struct decider *decided_begin(struct store *st, const char *sensor)
{
	struct store_run run = { sensor, "test", "{}" };
	assert_int_equal(store_run_begin(st, &run), 0);
	struct assoc_params ap;
	assoc_params_default(&ap);
	ap.min_evidence = 0;
	char err[128];
	struct decider *d = decider_new(&ap, err, sizeof err);
	assert_non_null(d);
	return d;
}

/* decided_end - d's decisions and hosts written, d freed, the run ended;
 * what the two steps counted into ds and hs */
static void decided_end(struct store *st, struct decider *d, struct decide_stats *ds,
			struct decide_host_stats *hs)
{
	assert_int_equal(decider_run(d, st, ds), 0);
	assert_int_equal(decider_hosts(d, st, 0, hs), 0);
	decider_free(d);
	assert_int_equal(store_run_end(st), 0);
}

/* one run of sensor over n attempts: a pair (IPv6 id 1, IPv4 id 2) that
 * gets associated, the IPv4 address listed */
static void run_sensor(struct store *st, const char *sensor, int n)
{
	struct decider *d = decided_begin(st, sensor);
	assert_int_equal(store_add_input(st, "pcap", "x.pcap", (uint64_t)n, 0, NULL), 0);
	struct attempt v[2];
	for (int i = 1; i <= n; i++) {
		char src[64];
		if (i % 2)
			snprintf(src, sizeof src, "2001:db8::%x", i);
		else
			snprintf(src, sizeof src, "198.51.100.%d", i);
		struct attempt a = mk((uint64_t)i, src, (uint16_t)(40000 + i), 1767225600000000000LL + i);
		assert_int_equal(decider_attempt(d, &a), 0);
		if (i <= 2)
			v[i - 1] = a;
	}
	struct addr a4;
	addr_parse("198.51.100.2", &a4);
	assert_int_equal(store_add_mta_event(st, &a4, "dnsbl", "zen.example", 1767225600000000000LL,
					     1767225600000000000LL, 1, "postfix"), 0);
	assert_int_equal(store_add_mta_event(st, &a4, "dnsbl", "zen.example", 1767225601000000000LL,
					     1767225601000000000LL, 1, "postfix"), 0);
	struct assoc_cand c;
	memset(&c, 0, sizeof c);
	c.a6 = 1;
	c.a4 = 2;
	c.ev[EV_GAP] = 50;
	c.score = 50;
	c.gap_ns = 1000;
	/* the decision stage writes the pair it takes, and the hosts */
	assert_int_equal(decider_cand(d, &c, &v[0], &v[1]), 0);
	struct decide_stats ds;
	struct decide_host_stats hs;
	decided_end(st, d, &ds, &hs);
	assert_int_equal(ds.associated, 1);
	assert_int_equal(hs.hosts[0], n / 2);
	assert_int_equal(hs.hosts[1], (n + 1) / 2);
	assert_int_equal(hs.listed_v4, 1);
	assert_int_equal(hs.v6_associated, 1);
	assert_int_equal(hs.v6_unassociated, (n + 1) / 2 - 1);
}

/* an attempt's every column survives the decision stage's attempt file:
 * the rows written through a decider are the rows store_add_attempt
 * writes directly, for attempts at the edges of each field */
static void test_attempt_columns(void **state)
{
	(void)state;
	static const char *const srcs[] = {
		"2001:0:4136:e378:8000:63bf:3fff:fdd2", "198.51.100.7",
		"2002:c633:6401::1", "::", "255.255.255.255", "2001:db8::1",
	};
	enum { N = sizeof srcs / sizeof srcs[0] };
	struct attempt v[N];
	for (int i = 0; i < N; i++) {
		v[i] = mk((uint64_t)(i + 1), srcs[i], (uint16_t)(i ? 1024 * i : 65535),
			  1767225600000000000LL + i * 999999937LL);
		struct attempt *a = &v[i];
		a->last_ns = a->first_ns + (i % 2 ? 0 : 1500000000LL + i);
		a->syns = i % 2 ? 1 : 3 + (uint32_t)i;
		a->ttl = (uint8_t)(i ? 17 * i : 255);
		a->ittl = i % 2 ? 64 : 128;
		a->win = (uint16_t)(i ? 8192 * i : 65535);
		a->mss = (uint16_t)(i % 3 ? 1460 - i : 0);
		a->wscale = (int16_t)(i % 3 == 1 ? -1 : 14 - i);
		a->nopts = (uint8_t)(i == 0 ? SYN_MAX_OPTS : i);
		for (int k = 0; k < a->nopts; k++)
			a->olayout[k] = (uint8_t)(k % 2 ? 1 : 2 + k % 7);
		if (i >= 3)
			a->olayout[a->nopts - 1] = 0;   /* EOL, then padding */
		a->eol_pad = (uint8_t)i;
		a->has_ts = i % 2 == 0;
		a->tsval = i ? 0xffffffffu - (uint32_t)i : 0;
		a->os = i % 3 ? "Windows 7 or 8" : NULL;
		a->os_family = i % 3 ? "Windows" : NULL;
		a->quirks = 0xdeadbeefu;
		a->stack = 0x0123456789abcdefULL;
	}
	v[0].emb_kind = EMB_TEREDO;
	addr_parse("192.0.2.45", &v[0].emb4);
	v[2].emb_kind = EMB_6TO4;
	addr_parse("198.51.100.1", &v[2].emb4);
	v[N - 1].id = 4000000000u;
	v[N - 1].last_ns = INT64_MAX;

	struct store *st = store_open(dbpath, true);
	assert_non_null(st);
	struct decider *d = decided_begin(st, "decided");
	for (int i = 0; i < N; i++) {
		struct attempt a = v[i];
		assert_int_equal(decider_attempt(d, &a), 0);
	}
	struct decide_stats ds;
	struct decide_host_stats hs;
	decided_end(st, d, &ds, &hs);

	struct store_run direct = { "direct", "test", "{}" };
	assert_int_equal(store_run_begin(st, &direct), 0);
	for (int i = 0; i < N; i++)
		assert_int_equal(store_add_attempt(st, &v[i], 0, 0), 0);
	assert_int_equal(store_run_end(st), 0);

	char a[1024], b[1024], n[1024], sql[320];
	for (int i = 0; i < N; i++) {
		snprintf(sql, sizeof sql, "SELECT id, family, src, sport, dst, dport, first_ns, "
			 "last_ns, syns, ttl, ittl, win, mss, wscale, olayout, tsval, os, os_family, "
			 "emb_kind, emb4, partner, score FROM attempts WHERE sensor = ? AND id = %llu",
			 (unsigned long long)v[i].id);
		qs(st, sql, "decided", a);
		qs(st, sql, "direct", b);
		assert_true(strlen(a) > 40 && strlen(a) < sizeof a - 1);
		assert_string_equal(a, b);
	}
	qs(st, "SELECT COUNT(*), COUNT(DISTINCT olayout), COUNT(emb4), COUNT(tsval), "
	   "MAX(id), MAX(last_ns) FROM attempts WHERE sensor = ?", "decided", n);
	snprintf(b, sizeof b, "6|6|2|3|4000000000|%lld", (long long)INT64_MAX);
	assert_string_equal(n, b);
	qs(st, "SELECT emb4 FROM attempts WHERE sensor = ? AND id = 1", "decided", a);
	assert_string_equal(a, "192.0.2.45");
	store_close(st);
}

/* the expected candidates of test_candidate_columns, in the order given */
struct cand_want {
	size_t i;   /* rows checked so far */
	size_t n;
	struct assoc_cand *v;
};

/* cand_check - a candidates row (in id order) against the candidate
 * given in the same place */
static int cand_check(int n, const char *const *names, const char *const *vals, void *arg)
{
	(void)names;
	struct cand_want *w = arg;
	assert_int_equal(n, 16);
	assert_true(w->i < w->n);
	const struct assoc_cand *c = &w->v[w->i++];
	char want[512], got[512];
	snprintf(want, sizeof want,
		 "%llu|%llu|%d|%d|%d|%d|%d|%d|%d|%d|%d|%d|%d|%lld|%ld|%d",
		 (unsigned long long)c->a6, (unsigned long long)c->a4, c->ev[EV_EMBED],
		 c->ev[EV_STACK], c->ev[EV_OS], c->ev[EV_SYNS], c->ev[EV_PORT], c->ev[EV_GAP],
		 c->ev[EV_TSCLOCK], c->ev[EV_ASN], c->ev[EV_PTR], c->ev[EV_EHLO], c->score,
		 (long long)c->gap_ns, (long)c->port_dist, c->before ? 1 : 0);
	got[0] = '\0';
	for (int i = 0; i < n; i++) {
		size_t len = strlen(got);
		snprintf(got + len, sizeof got - len, "%s%s", i ? "|" : "", vals[i] ? vals[i] : "-");
	}
	assert_string_equal(got, want);
	return 0;
}

/* a candidate's every column survives the decision stage's candidate
 * file, which packs each against the one before it in its block: values
 * at the edges of each field, attempt ids that rise and fall by up to
 * 2^32, many candidates of one IPv6 attempt, and one IPv6 host's
 * candidates over several blocks */
static void test_candidate_columns(void **state)
{
	(void)state;
	enum { N6 = 40, N4 = 60, SAME = 30 };
	struct attempt v6[N6], v4[N4];
	struct store *st = store_open(dbpath, true);
	assert_non_null(st);
	struct decider *d = decided_begin(st, "packed");
	int64_t t0 = 1767225600000000000LL;
	for (int j = 0; j < N4; j++) {
		char src[64];
		snprintf(src, sizeof src, "%d.%d.%d.%d", j % 2 ? 255 : 0, j, 255 - j, j * 4);
		v4[j] = mk(j % 3 ? 3000000000u + (uint64_t)j : 5000 + (uint64_t)j, src,
			   (uint16_t)(1024 + j), t0 + j);
		assert_int_equal(decider_attempt(d, &v4[j]), 0);
	}
	for (int i = 0; i < N6; i++) {
		char src[64];
		if (i < SAME)
			snprintf(src, sizeof src, "2001:db8::1");   /* one host: one partition */
		else
			snprintf(src, sizeof src, "%x:db8:%x::%x", 0x2001 + i, i * 977, i);
		v6[i] = mk(i % 2 ? 2999999999u - (uint64_t)i : 1000 + (uint64_t)i, src,
			   (uint16_t)(40000 + i), t0 + 100 + i);
		assert_int_equal(decider_attempt(d, &v6[i]), 0);
	}
	static const int16_t evs[] = { 0, 1, -1, 127, -128, 32767, -32768, 40, -20 };
	static const int64_t gaps[] = { 0, -1, 1, INT64_MAX, INT64_MIN, 1000000000, -999 };
	static const int32_t ports[] = { 0, 1, -1, 65535, -65535, INT32_MAX, INT32_MIN };
	struct cand_want w = { .n = 0 };
	w.v = calloc((size_t)N6 * N4, sizeof *w.v);
	assert_non_null(w.v);
	uint64_t r = 12345;
	for (int i = 0; i < N6; i++) {
		int k = i < SAME ? N4 : 1 + i % N4;
		for (int jj = 0; jj < k; jj++) {
			int j = (jj * 7 + i) % N4;   /* the IPv4 ids rise and fall */
			struct assoc_cand c;
			memset(&c, 0, sizeof c);
			c.a6 = v6[i].id;
			c.a4 = v4[j].id;
			for (int e = 0; e < EV_COUNT; e++) {
				r = r * 6364136223846793005ULL + 1442695040888963407ULL;
				/* most evidence absent, as in real candidates */
				c.ev[e] = e == EV_HOST || (r >> 60) < 10 ? 0 :
					  evs[(r >> 33) % (sizeof evs / sizeof evs[0])];
			}
			c.score = -100 - (int)((r >> 20) % 1000);   /* never eligible */
			if ((r >> 40) % 5 == 0)
				c.score = INT32_MIN + 1000;
			c.gap_ns = gaps[(r >> 24) % (sizeof gaps / sizeof gaps[0])];
			c.port_dist = ports[(r >> 28) % (sizeof ports / sizeof ports[0])];
			c.before = (r >> 50) & 1;
			w.v[w.n++] = c;
			assert_int_equal(decider_cand(d, &c, &v6[i], &v4[j]), 0);
		}
	}
	struct decide_stats ds;
	struct decide_host_stats hs;
	decided_end(st, d, &ds, &hs);
	assert_int_equal(ds.associated, 0);
	assert_true(w.n > SAME * N4);   /* more than a block of one partition */
	const char *p[1] = { "packed" };
	assert_int_equal(store_query(st, "SELECT a6, a4, ev_embed, ev_stack, ev_os, ev_syns, "
				     "ev_port, ev_gap, ev_tsclock, ev_asn, ev_ptr, ev_ehlo, score, "
				     "gap_ns, port_dist, before FROM candidates WHERE sensor = ? "
				     "ORDER BY id", p, 1, cand_check, &w),
			 0);
	assert_int_equal(w.i, w.n);
	free(w.v);
	store_close(st);
}

/* a host row's columns add up every attempt of the host through the
 * decision stage's host-record file, which packs each record against the
 * one before it in its block: one IPv6 host's 2000 attempts over several
 * blocks, times that rise and fall by up to 2^63 (the earliest and the
 * latest in the last block), SYN counts at the edges, and hosts of both
 * families with and without labels */
static void test_host_columns(void **state)
{
	(void)state;
	enum { N = 2000 };
	static const char *const others[] = { "198.51.100.9", "0.0.0.0", "255.255.255.255",
					      "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff" };
	enum { NO = sizeof others / sizeof others[0] };
	struct store *st = store_open(dbpath, true);
	assert_non_null(st);
	struct decider *d = decided_begin(st, "packed");
	int64_t t0 = 1767225600000000000LL, lo = INT64_MAX, hi = INT64_MIN;
	uint64_t syns = 0;
	int windows = 0;
	for (int k = 0; k < N; k++) {
		struct attempt a = mk((uint64_t)k + 1, "2001:db8::a", (uint16_t)(1024 + k),
				      t0 + (int64_t)(k * 7919 % N) * 1000003LL);
		a.last_ns = a.first_ns + (k % 5) * 1000LL;
		if (k == N - 7)
			a.first_ns = INT64_MIN + 1;   /* a jump down by nearly 2^63 ... */
		if (k == N - 3)
			a.last_ns = INT64_MAX;        /* ... and up */
		a.syns = 1 + (uint32_t)(k % 3) * 1000;
		a.os = k % 3 ? "Windows 7 or 8" : k % 2 ? "Linux 3.11 and newer" : NULL;
		a.os_family = a.os ? (k % 3 ? "Windows" : "Linux") : NULL;
		windows += k % 3 != 0;
		lo = a.first_ns < lo ? a.first_ns : lo;
		hi = a.last_ns > hi ? a.last_ns : hi;
		syns += a.syns;
		assert_int_equal(decider_attempt(d, &a), 0);
	}
	assert_true(windows > N / 2);
	for (int i = 0; i < NO; i++)
		for (int k = 0; k <= i; k++) {
			struct attempt a = mk((uint64_t)(N + 10 * i + k + 1), others[i],
					      (uint16_t)(2000 + k), t0 - 5000000000LL * i + k);
			a.syns = i == 0 ? UINT32_MAX - (uint32_t)k : (uint32_t)(i + k);
			a.os = i == 2 ? "FreeBSD" : NULL;
			a.os_family = a.os ? "BSD" : NULL;
			assert_int_equal(decider_attempt(d, &a), 0);
		}
	struct decide_stats ds;
	struct decide_host_stats hs;
	decided_end(st, d, &ds, &hs);
	assert_int_equal(hs.hosts[0], 3);
	assert_int_equal(hs.hosts[1], 2);
	char got[512], want[512];
	qs(st, "SELECT first_ns, last_ns, attempts, syns, os, os_family FROM hosts "
	   "WHERE sensor = ? AND addr = '2001:db8::a'", "packed", got);
	snprintf(want, sizeof want, "%lld|%lld|%d|%llu|Windows 7 or 8|Windows", (long long)lo,
		 (long long)hi, N, (unsigned long long)syns);
	assert_string_equal(got, want);
	for (int i = 0; i < NO; i++) {
		char sql[200];
		snprintf(sql, sizeof sql, "SELECT first_ns, last_ns, attempts, syns, os, os_family "
			 "FROM hosts WHERE sensor = ? AND addr = '%s'", others[i]);
		qs(st, sql, "packed", got);
		int64_t f = t0 - 5000000000LL * i;
		snprintf(want, sizeof want, "%lld|%lld|%d|%llu|%s", (long long)f, (long long)(f + i),
			 i + 1, i == 0 ? (unsigned long long)UINT32_MAX :   /* saturated */
			 (unsigned long long)((i + 1) * i + i * (i + 1) / 2),
			 i == 2 ? "FreeBSD|BSD" : "-|-");
		assert_string_equal(got, want);
	}
	store_close(st);
}

static void test_sql_tokens(void **state)
{
	(void)state;
	const char *sql = "CREATE TABLE t (id {id}, n {int}, x {real}) {without_rowid}; {other}";
	char *l = store_sql_expand(sql, STORE_SQLITE);
	char *p = store_sql_expand(sql, STORE_PG);
	assert_string_equal(l, "CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER, x REAL)"
			    " WITHOUT ROWID; {other}");
	assert_string_equal(p, "CREATE TABLE t (id BIGSERIAL PRIMARY KEY, n BIGINT,"
			    " x DOUBLE PRECISION) ; {other}");
	free(l);
	free(p);
}

/* the schema mxsensor 0.1 wrote (version 1), with one run's results */
static const char v1_store[] =
	"CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);"
	"CREATE TABLE runs (id INTEGER PRIMARY KEY, sensor TEXT NOT NULL,"
	"  started TEXT NOT NULL, finished TEXT, version TEXT, argv TEXT,"
	"  options TEXT, syns INTEGER, attempts INTEGER, status TEXT);"
	"CREATE TABLE inputs (run_id INTEGER NOT NULL, kind TEXT NOT NULL,"
	"  path TEXT NOT NULL, records INTEGER, errors INTEGER, note TEXT);"
	"CREATE TABLE attempts (id INTEGER PRIMARY KEY, run_id INTEGER NOT NULL,"
	"  family INTEGER NOT NULL, src TEXT NOT NULL, sport INTEGER NOT NULL,"
	"  dst TEXT NOT NULL, dport INTEGER NOT NULL, first_ns INTEGER NOT NULL,"
	"  last_ns INTEGER NOT NULL, syns INTEGER NOT NULL, ttl INTEGER, ittl INTEGER,"
	"  win INTEGER, mss INTEGER, wscale INTEGER, olayout TEXT, tsval INTEGER,"
	"  os TEXT, os_family TEXT, emb_kind TEXT, emb4 TEXT,"
	"  partner INTEGER, score INTEGER);"
	"CREATE INDEX attempts_src ON attempts(src, first_ns);"
	"CREATE INDEX attempts_first ON attempts(first_ns);"
	"CREATE TABLE candidates (id INTEGER PRIMARY KEY, a6 INTEGER NOT NULL,"
	"  a4 INTEGER NOT NULL, ev_embed INTEGER, ev_stack INTEGER, ev_os INTEGER,"
	"  ev_syns INTEGER, ev_port INTEGER, ev_gap INTEGER, ev_tsclock INTEGER,"
	"  ev_asn INTEGER, ev_ptr INTEGER, ev_host INTEGER, score INTEGER NOT NULL,"
	"  total INTEGER, ambiguous INTEGER, gap_ns INTEGER, port_dist INTEGER,"
	"  before INTEGER, decision TEXT);"
	"CREATE INDEX candidates_a6 ON candidates(a6);"
	"CREATE INDEX candidates_a4 ON candidates(a4);"
	"CREATE TABLE mta_events (addr TEXT NOT NULL, family INTEGER NOT NULL,"
	"  kind TEXT NOT NULL, list TEXT NOT NULL DEFAULT '', first_ns INTEGER,"
	"  last_ns INTEGER, count INTEGER NOT NULL, format TEXT,"
	"  UNIQUE(addr, kind, list));"
	"CREATE TABLE hosts (addr TEXT PRIMARY KEY, family INTEGER NOT NULL,"
	"  addr_type TEXT, iid_class TEXT, emb_kind TEXT, emb4 TEXT,"
	"  first_ns INTEGER, last_ns INTEGER, attempts INTEGER, syns INTEGER,"
	"  os TEXT, os_family TEXT, asn INTEGER, as_name TEXT, ptr TEXT,"
	"  ptr_domain TEXT, listed INTEGER NOT NULL DEFAULT 0, lists TEXT,"
	"  label TEXT, partners TEXT);"
	"CREATE VIEW weekly AS"
	"  SELECT strftime('%Y-W%W', a.first_ns / 1000000000, 'unixepoch') AS week,"
	"         CASE WHEN a.family = 4 THEN (CASE WHEN h.listed THEN 'ipv4-spammer'"
	"                                            ELSE 'ipv4-unlisted' END)"
	"              ELSE (CASE WHEN h.label = 'associated' THEN 'ipv6-associated'"
	"                         ELSE 'ipv6-unassociated' END) END AS series,"
	"         COUNT(*) AS attempts"
	"  FROM attempts a JOIN hosts h ON h.addr = a.src"
	"  GROUP BY week, series;"
	"INSERT INTO meta VALUES ('schema_version', '1');"
	"INSERT INTO runs VALUES (1, 'old-a', 't0', 't1', '0.1.0', 'x', '{}', 3, 2, 'complete');"
	"INSERT INTO runs VALUES (2, 'oldsensor', 't2', 't3', '0.1.0', 'x', '{}', 3, 2, 'complete');"
	"INSERT INTO inputs VALUES (2, 'pcap', 'a.pcap', 3, 0, NULL);"
	"INSERT INTO attempts (id, run_id, family, src, sport, dst, dport, first_ns, last_ns,"
	"  syns, partner, score) VALUES"
	"  (1, 2, 6, '2001:db8::1', 1000, '2001:db8:25::25', 25, 1767225600000000000,"
	"   1767225600000000000, 1, 2, 60),"
	"  (2, 2, 4, '198.51.100.2', 1001, '192.0.2.25', 25, 1767225600100000000,"
	"   1767225600100000000, 1, 1, 60);"
	"INSERT INTO candidates (a6, a4, score, total, decision) VALUES (1, 2, 60, 60, 'associated');"
	"INSERT INTO mta_events VALUES ('198.51.100.2', 4, 'dnsbl', 'zen.example', 1, 2, 2, 'postfix');"
	"INSERT INTO hosts (addr, family, attempts, listed, label) VALUES"
	"  ('2001:db8::1', 6, 1, 0, 'associated'), ('198.51.100.2', 4, 1, 1, 'spammer');";

static void test_migrate_v1(void **state)
{
	(void)state;
	sqlite3 *db;
	assert_int_equal(sqlite3_open(dbpath, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, v1_store, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);

	struct store *st = store_open(dbpath, false);
	assert_non_null(st);
	assert_string_equal(store_backend_name(st), "sqlite");
	char out[1024], want[64];
	q(st, "SELECT value FROM meta WHERE key = 'schema_version'", out);
	snprintf(want, sizeof want, "%d", store_schema_version());
	assert_string_equal(out, want);
	assert_true(store_schema_version() >= 3);
	q(st, "SELECT sql FROM sqlite_master WHERE name = 'candidates_a4'", out);   /* version 6 */
	assert_string_equal(out, "CREATE INDEX candidates_a4 ON candidates(a4)");
	q(st, "SELECT COUNT(*) FROM policy_outcomes", out);   /* version 2 on the way */
	assert_string_equal(out, "0");
	/* the results belong to the sensor of the last run */
	q(st, "SELECT sensor, id, partner FROM attempts ORDER BY id", out);
	assert_string_equal(out, "oldsensor|1|2|oldsensor|2|1");
	q(st, "SELECT sensor, a6, a4, decision FROM candidates", out);
	assert_string_equal(out, "oldsensor|1|2|associated");
	q(st, "SELECT sensor, addr, label FROM hosts ORDER BY addr", out);
	assert_string_equal(out, "oldsensor|198.51.100.2|spammer|oldsensor|2001:db8::1|associated");
	q(st, "SELECT sensor, count FROM mta_events", out);
	assert_string_equal(out, "oldsensor|2");
	q(st, "SELECT sensor, path FROM inputs", out);
	assert_string_equal(out, "oldsensor|a.pcap");
	q(st, "SELECT week, series, attempts FROM weekly ORDER BY series", out);
	assert_string_equal(out, "2026-W00|ipv4-spammer|1|2026-W00|ipv6-associated|1");
	/* a new sensor's run leaves the migrated results alone */
	run_sensor(st, "new", 2);
	q(st, "SELECT sensor, COUNT(*) FROM attempts GROUP BY sensor ORDER BY sensor", out);
	assert_string_equal(out, "new|2|oldsensor|2");
	store_close(st);

	/* opening again: nothing more to migrate, nothing changes */
	st = store_open(dbpath, false);
	assert_non_null(st);
	q(st, "SELECT COUNT(*) FROM attempts", out);
	assert_string_equal(out, "4");
	store_close(st);
}

static void test_newer_schema_refused(void **state)
{
	(void)state;
	sqlite3 *db;
	assert_int_equal(sqlite3_open(dbpath, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);"
				      "INSERT INTO meta VALUES ('schema_version', '999');",
				      NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_null(store_open(dbpath, false));
}

/* tables_of - the names of dbpath's tables, space-separated */
static void tables_of(char *out, size_t n)
{
	sqlite3 *db;
	sqlite3_stmt *q;
	out[0] = '\0';
	assert_int_equal(sqlite3_open_v2(dbpath, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT name FROM sqlite_master WHERE type ="
					    " 'table' ORDER BY name", -1, &q, NULL), SQLITE_OK);
	while (sqlite3_step(q) == SQLITE_ROW) {
		size_t l = strlen(out);
		snprintf(out + l, n - l, "%s%s", l ? " " : "", sqlite3_column_text(q, 0));
	}
	sqlite3_finalize(q);
	sqlite3_close(db);
}

/* another program's database is not a store: neither a reader nor a
 * writer opens it, and neither adds a table to it */
static void test_foreign_database_refused(void **state)
{
	(void)state;
	sqlite3 *db;
	assert_int_equal(sqlite3_open(dbpath, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "CREATE TABLE bookmarks (url TEXT);", NULL, NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(db);
	assert_null(store_open(dbpath, false));
	assert_null(store_open(dbpath, true));
	char t[256];
	tables_of(t, sizeof t);
	assert_string_equal(t, "bookmarks");
}

/* an empty file: a reader refuses it and leaves it empty; a writer makes
 * it a store */
static void test_empty_file(void **state)
{
	(void)state;
	sqlite3 *db;
	FILE *f = fopen(dbpath, "w");
	assert_non_null(f);
	fclose(f);
	assert_null(store_open(dbpath, false));
	struct stat sb;
	assert_int_equal(stat(dbpath, &sb), 0);
	assert_int_equal(sb.st_size, 0);
	struct store *st = store_open(dbpath, true);
	assert_non_null(st);
	store_close(st);
	st = store_open(dbpath, false);
	assert_non_null(st);
	store_close(st);
	/* an empty SQLite database (no table at all) is refused by a reader
	 * too: it holds no analysis */
	unlink_db();
	assert_int_equal(sqlite3_open(dbpath, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 1;", NULL, NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(db);
	assert_null(store_open(dbpath, false));
	char t[256];
	tables_of(t, sizeof t);
	assert_string_equal(t, "");
}

/* add_host6 - one unassociated IPv6 host 2001:db8::N with one attempt
 * and one SYN */
static int add_host6(struct store *st, unsigned n)
{
	char addr[64];
	snprintf(addr, sizeof addr, "2001:db8::%x", n);
	struct store_host h = { .addr = addr, .family = 6, .attempts = 1, .syns = 1,
				.label = "unassociated" };
	return store_add_host(st, &h);
}

/* rows are written on the writer thread: a query right after the puts
 * sees all of them, and a row the database refuses (a second host with
 * the same address) fails the run's end instead of vanishing */
static void test_queued_writes(void **state)
{
	(void)state;
	struct store *st = store_open(dbpath, true);
	assert_non_null(st);
	struct store_run run = { "q", "test", "{}" };
	assert_int_equal(store_run_begin(st, &run), 0);
	char out[1024];
	for (unsigned i = 0; i < 20000; i++)
		assert_int_equal(add_host6(st, i), 0);
	q(st, "SELECT COUNT(*), SUM(syns) FROM hosts WHERE sensor = 'q'", out);
	assert_string_equal(out, "20000|20000");
	struct store_host dup = { .addr = "2001:db8::7", .family = 6 };
	assert_int_equal(store_add_host(st, &dup), 0);     /* queued */
	assert_int_equal(store_run_end(st), -1);           /* refused */
	store_close(st);
}

/* rows of the big tables go to SQLite through the feed, FEED (512) at a
 * time (store_sqlite.c): runs of every length around a feed, kinds
 * interleaved mid-feed, keep their order and every value with its type
 * (NULLs and texts included), and a refused row inside a full feed
 * still fails the run's end */
static void test_batched_writes(void **state)
{
	(void)state;
	struct store *st = store_open(dbpath, true);
	assert_non_null(st);
	struct store_run run = { "b", "test", "{}" };
	assert_int_equal(store_run_begin(st, &run), 0);
	static const int runs[] = { 1, 511, 512, 513, 1025, 3, 1536, 2 };
	uint64_t a6 = 0, aid = 0;
	unsigned hosts = 0;
	char out[1024];
	for (size_t r = 0; r < sizeof runs / sizeof *runs; r++) {
		for (int i = 0; i < runs[r]; i++) {
			struct assoc_cand c;
			memset(&c, 0, sizeof c);
			c.a6 = ++a6;
			c.a4 = 1000000 - a6;
			c.ev[EV_PORT] = (int16_t)(a6 % 31);
			c.score = (int)a6;
			c.gap_ns = -(int64_t)a6;
			assert_int_equal(store_add_candidate(st, &c, (int)a6 + 1, a6 % 2,
							     a6 % 3 ? "lost" : "associated"), 0);
		}
		/* another kind between the candidates' runs */
		if (r % 2) {
			assert_int_equal(add_host6(st, ++hosts), 0);
		} else {
			++aid;
			struct attempt a = mk(aid, "198.51.100.9", (uint16_t)(1000 + aid),
					      1767225600000000000LL + (int64_t)aid);
			assert_int_equal(store_add_attempt(st, &a, aid % 2 ? aid + 1 : 0, (int)aid), 0);
		}
	}
	/* every candidate, in the order written, with its values */
	q(st, "SELECT COUNT(*), SUM(id = a6), SUM(a4 = 1000000 - a6), SUM(ev_port = a6 % 31),"
	      " SUM(score = a6), SUM(total = a6 + 1), SUM(gap_ns = -a6), SUM(ambiguous = a6 % 2),"
	      " SUM(decision = CASE WHEN a6 % 3 THEN 'lost' ELSE 'associated' END)"
	      " FROM candidates WHERE sensor = 'b'", out);
	assert_string_equal(out, "4103|4103|4103|4103|4103|4103|4103|4103|4103");
	q(st, "SELECT group_concat(DISTINCT typeof(a4) || typeof(gap_ns) || typeof(decision) ||"
	      " typeof(ev_asn)) FROM candidates WHERE sensor = 'b'", out);
	assert_string_equal(out, "integerintegertextinteger");
	q(st, "SELECT group_concat(id || ':' || sport || ':' || COALESCE(partner, '-') || ':' ||"
	      " COALESCE(wscale, '-'), ' ')"
	      " FROM (SELECT * FROM attempts WHERE sensor = 'b' ORDER BY id)", out);
	assert_string_equal(out, "1:1001:2:- 2:1002:-:- 3:1003:4:- 4:1004:-:-");
	q(st, "SELECT COUNT(*), MIN(addr), MAX(addr), SUM(os IS NULL), SUM(label = 'unassociated')"
	      " FROM hosts WHERE sensor = 'b'", out);
	assert_string_equal(out, "4|2001:db8::1|2001:db8::4|4|4");
	q(st, "SELECT typeof(partner), typeof(wscale), typeof(src), typeof(sport)"
	      " FROM attempts WHERE sensor = 'b' AND id = 1", out);
	assert_string_equal(out, "integer|null|text|integer");
	/* a refused row in the middle of a full feed */
	for (unsigned i = 0; i < 1200; i++)
		assert_int_equal(add_host6(st, i == 700 ? 1 : 100 + i), 0);
	assert_int_equal(store_run_end(st), -1);
	store_close(st);
}

/* the feed's virtual table (store_sqlite.c) is the writer's alone: it
 * is no object of the store file, yields nothing without its pointer,
 * and a view or trigger in the file cannot read it (DIRECTONLY) */
static void test_feed_private(void **state)
{
	(void)state;
	struct store *st = store_open(dbpath, true);
	assert_non_null(st);
	char out[256];
	q(st, "SELECT COUNT(*) FROM sqlite_master WHERE sql LIKE '%mx_rows%'", out);
	assert_string_equal(out, "0");
	assert_int_equal(store_query(st, "SELECT * FROM mx_rows", NULL, 0, NULL, NULL), -1);
	q(st, "SELECT COUNT(*) FROM mx_rows WHERE src = 1", out);
	assert_string_equal(out, "0");
	assert_int_equal(store_query(st, "CREATE VIEW peek AS SELECT c0 FROM mx_rows WHERE src = 1",
				     NULL, 0, NULL, NULL), 0);
	assert_int_equal(store_query(st, "SELECT * FROM peek", NULL, 0, NULL, NULL), -1);
	store_close(st);
}

static void test_sensors_replace_own_rows(void **state)
{
	(void)state;
	struct store *st = store_open(dbpath, true);
	assert_non_null(st);
	char out[1024];
	run_sensor(st, "alpha", 6);
	run_sensor(st, "beta", 4);
	q(st, "SELECT sensor, COUNT(*), COUNT(partner) FROM attempts GROUP BY sensor ORDER BY sensor",
	  out);
	assert_string_equal(out, "alpha|6|2|beta|4|2");
	/* the same ids in both sensors, partners within the sensor */
	q(st, "SELECT a.sensor, b.src FROM attempts a JOIN attempts b ON b.sensor = a.sensor"
	      " AND b.id = a.partner WHERE a.id = 1 ORDER BY a.sensor", out);
	assert_string_equal(out, "alpha|198.51.100.2|beta|198.51.100.2");
	q(st, "SELECT sensor, decision, total FROM candidates ORDER BY sensor", out);
	assert_string_equal(out, "alpha|associated|50|beta|associated|50");
	q(st, "SELECT sensor, addr, label, lists, partners FROM hosts WHERE addr = '2001:db8::1'"
	      " ORDER BY sensor", out);
	assert_string_equal(out, "alpha|2001:db8::1|associated|-|198.51.100.2/1/50|"
			    "beta|2001:db8::1|associated|-|198.51.100.2/1/50");
	qs(st, "SELECT listed, lists, label FROM hosts WHERE addr = '198.51.100.2' AND sensor = ?",
	   "beta", out);
	assert_string_equal(out, "1|zen.example|spammer");
	/* alpha again with fewer attempts: only alpha's rows change */
	run_sensor(st, "alpha", 2);
	q(st, "SELECT sensor, COUNT(*) FROM attempts GROUP BY sensor ORDER BY sensor", out);
	assert_string_equal(out, "alpha|2|beta|4");
	q(st, "SELECT sensor, COUNT(*) FROM hosts GROUP BY sensor ORDER BY sensor", out);
	assert_string_equal(out, "alpha|2|beta|4");
	q(st, "SELECT sensor, COUNT(*), SUM(count) FROM mta_events GROUP BY sensor ORDER BY sensor",
	  out);
	assert_string_equal(out, "alpha|1|2|beta|1|2");
	q(st, "SELECT sensor, COUNT(*) FROM inputs GROUP BY sensor ORDER BY sensor", out);
	assert_string_equal(out, "alpha|1|beta|1");
	q(st, "SELECT sensor, attempts, status FROM runs ORDER BY id", out);
	assert_string_equal(out, "alpha|6|complete|beta|4|complete|alpha|2|complete");
	store_close(st);
}

static void test_rerun_is_idempotent(void **state)
{
	(void)state;
	struct store *st = store_open(dbpath, true);
	assert_non_null(st);
	char a[1024], b[1024];
	const char *dump = "SELECT group_concat(x, ';') FROM (SELECT sensor || ',' || addr || ','"
			   " || attempts || ',' || listed || ',' || label || ',' ||"
			   " COALESCE(partners, '') AS x FROM hosts ORDER BY sensor, addr)";
	run_sensor(st, "s", 8);
	q(st, dump, a);
	run_sensor(st, "s", 8);
	q(st, dump, b);
	assert_string_equal(a, b);
	q(st, "SELECT COUNT(*), COUNT(DISTINCT run_id) FROM attempts", b);
	assert_string_equal(b, "8|1");
	q(st, "SELECT COUNT(*) FROM candidates", b);
	assert_string_equal(b, "1");
	store_close(st);
}

/* rerun_begun - a store with sensor s's results of 4 attempts, and a new
 * run of s begun with one attempt written */
static struct store *rerun_begun(struct store_run *run)
{
	struct store *st = store_open(dbpath, true);
	assert_non_null(st);
	run_sensor(st, "s", 4);
	assert_int_equal(store_run_begin(st, run), 0);
	struct attempt x = mk(1, "2001:db8::99", 1, 1);
	assert_int_equal(store_add_attempt(st, &x, 0, 0), 0);
	return st;
}

/* assert_previous - sensor s's 4 attempts of rerun_begun, as they were */
static void assert_previous(struct store *st)
{
	char out[1024];
	q(st, "SELECT COUNT(*), MIN(src) FROM attempts WHERE sensor = 's'", out);
	assert_string_equal(out, "4|198.51.100.2");
}

static void test_abort_keeps_previous(void **state)
{
	(void)state;
	char out[1024];
	struct store_run run = { "s", "test", "{}" };
	struct store *st = rerun_begun(&run);
	store_abort(st);
	assert_previous(st);
	q(st, "SELECT COUNT(*) FROM runs WHERE status = 'complete'", out);
	assert_string_equal(out, "1");
	/* a run never finished (closed without end) does not land either */
	assert_int_equal(store_run_begin(st, &run), 0);
	store_close(st);
	st = store_open(dbpath, false);
	assert_non_null(st);
	q(st, "SELECT COUNT(*) FROM attempts", out);
	assert_string_equal(out, "4");
	store_close(st);
}

/* the secondary indexes of the big tables: dropped for the bulk load into
 * an empty store, back before the commit, and untouched by a rollback or
 * when other sensors' rows are there */
#define INDEXES "SELECT group_concat(name, ' ') FROM (SELECT name FROM sqlite_master" \
	" WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ('attempts', 'candidates'," \
	" 'hosts', 'mta_events') ORDER BY name)"
#define ALL_INDEXES "attempts_first attempts_src candidates_a4 candidates_a6 hosts_addr" \
	" mta_events_addr"

static int no_listed(const char *addr, const char *lists, void *arg)
{
	(void)addr;
	(void)lists;
	(void)arg;
	return 0;
}

static void test_late_indexes(void **state)
{
	(void)state;
	struct store *st = store_open(dbpath, true);
	assert_non_null(st);
	char out[1024];
	q(st, INDEXES, out);
	assert_string_equal(out, ALL_INDEXES);
	/* empty store: the run drops them; an abort brings them back */
	q(st, "PRAGMA cache_size", out);
	assert_string_equal(out, LITE_CACHE);
	struct store_run run = { "s", "test", "{}" };
	assert_int_equal(store_run_begin(st, &run), 0);
	q(st, INDEXES, out);
	assert_string_equal(out, "-");
	/* the load's small page cache and its rollback journal, the usual
	 * ones after an abort */
	q(st, "PRAGMA cache_size", out);
	assert_string_equal(out, LITE_LOAD_CACHE);
	q(st, "PRAGMA journal_mode", out);
	assert_string_equal(out, "delete");
	struct attempt x = mk(1, "2001:db8::99", 1, 1);
	assert_int_equal(store_add_attempt(st, &x, 0, 0), 0);
	/* the listing window builds the attempts' indexes mid-run, sorting
	 * on a thread a core (at most four) in the load's small cache; the
	 * others wait */
	assert_int_equal(store_each_listed(st, 1000000000, no_listed, no_listed, NULL), 0);
	q(st, INDEXES, out);
	assert_string_equal(out, "attempts_first attempts_src");
	q(st, "PRAGMA cache_size", out);
	assert_string_equal(out, LITE_LOAD_CACHE);
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	char want[24];
	snprintf(want, sizeof want, "%ld", ncpu < 1 ? 0 : ncpu > 4 ? 4 : ncpu);
	q(st, "PRAGMA threads", out);
	assert_string_equal(out, want);
	store_abort(st);
	q(st, INDEXES, out);
	assert_string_equal(out, ALL_INDEXES);
	q(st, "PRAGMA cache_size", out);
	assert_string_equal(out, LITE_CACHE);
	q(st, "PRAGMA threads", out);
	assert_string_equal(out, "0");
	q(st, "PRAGMA journal_mode", out);
	assert_string_equal(out, "wal");
	q(st, "SELECT COUNT(*) FROM attempts", out);
	assert_string_equal(out, "0");
	/* a finished run re-creates them, and the look-ups use them; the
	 * connection's settings are back */
	run_sensor(st, "s", 40);
	q(st, INDEXES, out);
	assert_string_equal(out, ALL_INDEXES);
	q(st, "PRAGMA cache_size", out);
	assert_string_equal(out, LITE_CACHE);
	q(st, "PRAGMA threads", out);
	assert_string_equal(out, "0");
	q(st, "PRAGMA journal_mode", out);
	assert_string_equal(out, "wal");
	out[0] = '\0';
	assert_int_equal(store_query(st, "EXPLAIN QUERY PLAN SELECT * FROM candidates"
				     " WHERE sensor = 's' AND a4 = 2", NULL, 0, grab, out), 0);
	assert_non_null(strstr(out, "candidates_a4"));
	/* another sensor's rows are there: its run keeps every index and
	 * the full cache, in WAL mode, until its rows reach an eighth of
	 * the others' (attempts, candidates, hosts, MTA outcomes); then the
	 * indexes go, the cache stays; an abort brings them back */
	q(st, "SELECT ((SELECT COUNT(*) FROM attempts) + (SELECT COUNT(*) FROM candidates)"
	      " + (SELECT COUNT(*) FROM hosts) + (SELECT COUNT(*) FROM mta_events)) / 8", out);
	long budget = strtol(out, NULL, 10);
	assert_true(budget >= 5);
	struct store_run other = { "t", "test", "{}" };
	assert_int_equal(store_run_begin(st, &other), 0);
	q(st, INDEXES, out);
	assert_string_equal(out, ALL_INDEXES);
	q(st, "PRAGMA journal_mode", out);
	assert_string_equal(out, "wal");
	for (long i = 1; i <= budget; i++) {
		q(st, INDEXES, out);
		assert_string_equal(out, ALL_INDEXES);
		char src[64];
		snprintf(src, sizeof src, "2001:db8:77::%lx", i);
		struct attempt y = mk((uint64_t)i, src, 2, 1);
		assert_int_equal(store_add_attempt(st, &y, 0, 0), 0);
	}
	q(st, INDEXES, out);
	assert_string_equal(out, "-");
	q(st, "PRAGMA cache_size", out);
	assert_string_equal(out, LITE_CACHE);
	store_abort(st);
	q(st, INDEXES, out);
	assert_string_equal(out, ALL_INDEXES);
	q(st, "PRAGMA cache_size", out);
	assert_string_equal(out, LITE_CACHE);
	/* a sensor's re-run whose previous rows are an eighth of the others'
	 * or more: the indexes go before its deletes, are built again at the
	 * commit (the builds in the small cache, then the usual one back),
	 * and the look-ups use them */
	run_sensor(st, "t", 40);
	q(st, INDEXES, out);
	assert_string_equal(out, ALL_INDEXES);
	q(st, "SELECT COUNT(DISTINCT sensor) FROM attempts", out);
	assert_string_equal(out, "2");
	assert_int_equal(store_run_begin(st, &run), 0);
	q(st, INDEXES, out);
	assert_string_equal(out, "-");
	q(st, "SELECT COUNT(*) FROM attempts WHERE sensor = 's'", out);
	assert_string_equal(out, "0");
	q(st, "SELECT COUNT(*) FROM attempts WHERE sensor = 't'", out);
	assert_string_equal(out, "40");
	q(st, "PRAGMA cache_size", out);
	assert_string_equal(out, LITE_CACHE);
	q(st, "PRAGMA journal_mode", out);
	assert_string_equal(out, "wal");
	assert_int_equal(store_run_end(st), 0);
	q(st, INDEXES, out);
	assert_string_equal(out, ALL_INDEXES);
	q(st, "PRAGMA cache_size", out);
	assert_string_equal(out, LITE_CACHE);
	q(st, "PRAGMA threads", out);
	assert_string_equal(out, "0");
	out[0] = '\0';
	assert_int_equal(store_query(st, "EXPLAIN QUERY PLAN SELECT * FROM attempts"
				     " WHERE src = '2001:db8::1'", NULL, 0, grab, out), 0);
	assert_non_null(strstr(out, "attempts_src"));
	store_close(st);
}

/* the rollback journal of a load into an empty store: not while another
 * connection has the store open (leaving WAL would wait for it, and
 * its reads for the load), and a crash in the middle of such a load
 * leaves a hot journal that the next open rolls back */
static void test_load_journal(void **state)
{
	(void)state;
	struct store *st = store_open(dbpath, true);
	assert_non_null(st);
	char out[1024];
	sqlite3 *other;
	assert_int_equal(sqlite3_open(dbpath, &other), SQLITE_OK);
	assert_int_equal(sqlite3_exec(other, "SELECT COUNT(*) FROM attempts", NULL, NULL, NULL),
			 SQLITE_OK);
	struct store_run run = { "s", "test", "{}" };
	assert_int_equal(store_run_begin(st, &run), 0);
	q(st, "PRAGMA journal_mode", out);
	assert_string_equal(out, "wal");
	q(st, INDEXES, out);
	assert_string_equal(out, "-");   /* the rest of the load is the same */
	store_abort(st);
	sqlite3_close(other);
	store_close(st);
	struct stat sb;
	assert_int_equal(stat(dbpath, &sb), 0);
	off_t before = sb.st_size;

	/* alone: a rollback journal; the process dies in the middle of the
	 * load, after SQLite has spilled pages into the database file */
	fflush(NULL);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		st = store_open(dbpath, false);
		if (!st || store_run_begin(st, &run) != 0)
			_exit(2);
		q(st, "PRAGMA journal_mode", out);
		if (strcmp(out, "delete"))
			_exit(3);
		for (uint64_t i = 1; i <= 200000; i++) {
			char a[64];
			snprintf(a, sizeof a, "2001:db8::%x:%x", (unsigned)(i >> 16),
				 (unsigned)(i & 0xffff));
			struct attempt y = mk(i, a, (uint16_t)i, (int64_t)i);
			if (store_add_attempt(st, &y, 0, 0) != 0)
				_exit(4);
		}
		q(st, "SELECT COUNT(*) FROM attempts", out);
		_exit(strcmp(out, "200000") ? 5 : 9);   /* no COMMIT, no ROLLBACK */
	}
	int ws;
	assert_int_equal(waitpid(pid, &ws, 0), pid);
	assert_true(WIFEXITED(ws));
	assert_int_equal(WEXITSTATUS(ws), 9);
	char journal[96];
	snprintf(journal, sizeof journal, "%s-journal", dbpath);
	assert_int_equal(stat(journal, &sb), 0);   /* hot */
	assert_int_equal(stat(dbpath, &sb), 0);
	assert_true(sb.st_size > before + (1 << 20));   /* the spilled pages */

	st = store_open(dbpath, false);
	assert_non_null(st);
	q(st, "SELECT COUNT(*) FROM attempts", out);
	assert_string_equal(out, "0");
	q(st, "PRAGMA journal_mode", out);
	assert_string_equal(out, "wal");
	q(st, "PRAGMA integrity_check", out);
	assert_string_equal(out, "ok");
	q(st, INDEXES, out);
	assert_string_equal(out, ALL_INDEXES);
	run_sensor(st, "s", 6);
	q(st, "SELECT COUNT(*) FROM attempts", out);
	assert_string_equal(out, "6");
	store_close(st);
}

/* a stop asked for (a signal's flag): the run's writes fail, and so does
 * a long statement, at once; the abort then works as usual and the
 * previous results stay */
static void test_stop(void **state)
{
	(void)state;
	char out[1024];
	struct store_run run = { "s", "test", "{}" };
	struct store *st = rerun_begun(&run);
	volatile sig_atomic_t stop = 0;
	store_set_stop(st, &stop);
	struct attempt x = mk(2, "2001:db8::99", 1, 1);
	assert_int_equal(store_add_attempt(st, &x, 0, 0), 0);
	stop = 1;
	x.id = 3;
	assert_int_equal(store_add_attempt(st, &x, 0, 0), -1);
	/* a statement of some 10^9 steps stops within the progress interval */
	assert_int_not_equal(store_query(st, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL"
					 " SELECT i + 1 FROM n WHERE i < 1000000000)"
					 " SELECT COUNT(*) FROM n", NULL, 0, grab, out), 0);
	store_abort(st);
	assert_previous(st);
	/* the abort ended the stop: the next run writes */
	stop = 0;
	run_sensor(st, "s", 2);
	q(st, "SELECT COUNT(*) FROM attempts WHERE sensor = 's'", out);
	assert_string_equal(out, "2");
	store_close(st);
}

static void test_policy_save_adds(void **state)
{
	(void)state;
	struct store *st = store_open(dbpath, true);
	assert_non_null(st);
	struct store_policy_row r[2] = {
		{ "2001:db8:1::/64", "unknown", 2000, 3000, 5, 1 },
		{ "198.51.100.0/24", "spammer", 100, 200, 0, 7 },
	};
	assert_int_equal(store_policy_save(st, r, 2), 0);
	r[0] = (struct store_policy_row){ "2001:db8:1::/64", "suspect", 1000, 2500, 2, 3 };
	assert_int_equal(store_policy_save(st, r, 1), 0);
	char out[1024];
	q(st, "SELECT prefix, class, first_ns, last_ns, accepted, limited FROM policy_outcomes"
	      " ORDER BY prefix", out);
	assert_string_equal(out, "198.51.100.0/24|spammer|100|200|0|7|"
			    "2001:db8:1::/64|suspect|1000|3000|7|4");
	store_close(st);
}

static void test_location_picks_backend(void **state)
{
	(void)state;
	/* libpq is loaded by the first PostgreSQL location, not before */
	assert_null(dlopen("libpq.so.5", RTLD_NOW | RTLD_NOLOAD));
	/* postgres locations go to libpq: a server that is not there fails
	 * to connect instead of creating an SQLite file of that name */
	assert_null(store_open("postgres:host=/nonexistent-mxsensor port=1 dbname=x", true));
	void *lib = dlopen("libpq.so.5", RTLD_NOW | RTLD_NOLOAD);
	assert_non_null(lib);
	dlclose(lib);
	assert_int_equal(access("postgres:host=/nonexistent-mxsensor port=1 dbname=x", F_OK), -1);
	assert_null(store_open("postgresql://localhost:1/x?connect_timeout=2", true));
	assert_int_equal(access("postgresql:", F_OK), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sql_tokens),
		cmocka_unit_test_setup_teardown(test_attempt_columns, setup, teardown),
		cmocka_unit_test_setup_teardown(test_candidate_columns, setup, teardown),
		cmocka_unit_test_setup_teardown(test_host_columns, setup, teardown),
		cmocka_unit_test_setup_teardown(test_migrate_v1, setup, teardown),
		cmocka_unit_test_setup_teardown(test_newer_schema_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_foreign_database_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_empty_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sensors_replace_own_rows, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rerun_is_idempotent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_abort_keeps_previous, setup, teardown),
		cmocka_unit_test_setup_teardown(test_late_indexes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_journal, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stop, setup, teardown),
		cmocka_unit_test_setup_teardown(test_policy_save_adds, setup, teardown),
		cmocka_unit_test(test_location_picks_backend),
		cmocka_unit_test_setup_teardown(test_queued_writes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_batched_writes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_feed_private, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
