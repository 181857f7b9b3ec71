/* test_enrich.c - enrich/: registered domains, --ptr-file, reverse names,
 * the resolver's time-outs and refusals, the store's caches and the
 * scoring of candidates from host enrichment. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "enrich/dns.h"
#include "analysis/decide.h"
#include "enrich/enrich.h"
#include "store/store.h"
#include "util/hash.h"

static void test_registered_domain(void **state)
{
	(void)state;
	char d[256];
	assert_string_equal(enrich_registered_domain("a.mail.example.co.uk", d, sizeof d),
			    "example.co.uk");
	assert_string_equal(enrich_registered_domain("b.example.co.uk", d, sizeof d),
			    "example.co.uk");
	assert_string_equal(enrich_registered_domain("Mail.Example.COM.", d, sizeof d),
			    "example.com");
	assert_string_equal(enrich_registered_domain("x.y.example.github.io", d, sizeof d),
			    "example.github.io");
	assert_string_equal(enrich_registered_domain("co.uk", d, sizeof d), "");
	assert_string_equal(enrich_registered_domain("bad name.example.com", d, sizeof d), "");
	assert_string_equal(enrich_registered_domain("a..example.com", d, sizeof d), "");
	assert_string_equal(enrich_registered_domain("", d, sizeof d), "");
}

static void test_reverse_name(void **state)
{
	(void)state;
	struct addr a;
	char b[80];
	addr_parse("192.0.2.10", &a);
	assert_string_equal(dns_reverse_name(&a, b, sizeof b), "10.2.0.192.in-addr.arpa");
	addr_parse("2001:db8::567:89ab", &a);
	assert_string_equal(dns_reverse_name(&a, b, sizeof b),
			    "b.a.9.8.7.6.5.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa");
}

static void test_ptr_file(void **state)
{
	(void)state;
	char path[] = "/tmp/test_enrich.XXXXXX";
	int fd = mkstemp(path);
	const char *text = "# address name\n192.0.2.1 mail.example.com.\n"
			   "2001:db8::1,mail.example.com\n192.0.2.1 second.example.com\n"
			   "not-an-address name\n192.0.2.2\n  \n";
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	uint64_t bad = 0;
	const char *files[] = { path };
	struct ptr_map *m = ptr_map_load(files, 1, &bad);
	unlink(path);
	assert_non_null(m);
	assert_int_equal(bad, 2);
	struct addr a;
	addr_parse("192.0.2.1", &a);
	assert_string_equal(ptr_map_get(m, &a), "mail.example.com");   /* first wins */
	assert_string_equal(ptr_map_get(m, &a), "mail.example.com");   /* asked again */
	addr_parse("192.0.2.2", &a);
	assert_null(ptr_map_get(m, &a));
	addr_parse("2001:db8::1", &a);
	assert_string_equal(ptr_map_get(m, &a), "mail.example.com");
	assert_int_equal(ptr_map_failed(m), 0);
	ptr_map_free(m);
	const char *missing[] = { "/nonexistent/ptr.txt" };
	assert_null(ptr_map_load(missing, 1, &bad));
}

/* xorshift64 - the tests' reproducible random numbers */
static uint64_t xs(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

/* many lines, in random order, some addresses twice: read back by walking
 * the addresses in order (several sorted runs merged), the first line of
 * each address wins, addresses without a line have no name */
static void test_ptr_file_many(void **state)
{
	(void)state;
	enum { N = 240000 };
	uint32_t *order = malloc(N * sizeof *order);
	assert_non_null(order);
	for (uint32_t i = 0; i < N; i++)
		order[i] = i;
	uint64_t x = 88172645463325252ULL;
	for (uint32_t i = N - 1; i > 0; i--) {
		uint32_t k = (uint32_t)(xs(&x) % (i + 1)), t = order[i];
		order[i] = order[k];
		order[k] = t;
	}
	char path[] = "/tmp/test_enrich_many.XXXXXX";
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");
	assert_non_null(f);
	/* address i: 10.(i >> 16).(i >> 8).i, every 7th without a line; every
	 * 5th IPv6 twin 2001:db8::i with a line; every 11th also a later loser */
	for (uint32_t k = 0; k < N; k++) {
		uint32_t i = order[k];
		if (i % 7 == 3)
			continue;
		fprintf(f, "10.%u.%u.%u name-%u.example.net.\n", i >> 16, (i >> 8) & 255, i & 255, i);
		if (i % 5 == 0)
			fprintf(f, "2001:db8::%x:%x,v6-%u.example.org\n", i >> 16, i & 0xffff, i);
	}
	for (uint32_t i = 0; i < N; i += 11)
		fprintf(f, "10.%u.%u.%u loser-%u.example.net\n", i >> 16, (i >> 8) & 255, i & 255, i);
	assert_int_equal(fclose(f), 0);
	free(order);
	uint64_t bad = 0;
	const char *files[] = { path };
	struct ptr_map *m = ptr_map_load(files, 1, &bad);
	unlink(path);
	assert_non_null(m);
	assert_int_equal(bad, 0);
	char want[64], txt[64];
	struct addr a;
	unsigned named = 0;
	for (uint32_t i = 0; i < N; i++) {
		snprintf(txt, sizeof txt, "10.%u.%u.%u", i >> 16, (i >> 8) & 255, i & 255);
		assert_int_equal(addr_parse(txt, &a), 0);
		const char *nm = ptr_map_get(m, &a);
		if (i % 7 == 3 && i % 11) {
			assert_null(nm);
			continue;
		}
		snprintf(want, sizeof want, i % 7 == 3 ? "loser-%u.example.net" : "name-%u.example.net", i);
		assert_non_null(nm);
		assert_string_equal(nm, want);
		named++;
	}
	for (uint32_t i = 0; i < N; i += 5) {
		snprintf(txt, sizeof txt, "2001:db8::%x:%x", i >> 16, i & 0xffff);
		assert_int_equal(addr_parse(txt, &a), 0);
		snprintf(want, sizeof want, "v6-%u.example.org", i);
		const char *nm = ptr_map_get(m, &a);
		if (i % 7 == 3) {
			assert_null(nm);
		} else {
			assert_non_null(nm);
			assert_string_equal(nm, want);
		}
	}
	assert_true(named > N * 6 / 7);
	assert_int_equal(ptr_map_failed(m), 0);
	ptr_map_free(m);
}

/* the sources of test_enrich_many: IPv4 hosts 10.0.x.y, and 6to4 hosts of
 * which most share one gateway (an IPv4 host too) and the rest have a
 * gateway each (10.2.x.y, not hosts) */
enum { MANY4 = 9000, MANY6 = 80000, BUSY6 = 70000 };

static void many_v4(uint32_t i, char *b, size_t n)
{
	snprintf(b, n, "10.%u.%u.%u", i < 4500 ? 0 : 1, (i >> 8) & 255, i & 255);
}

static void many_gw(uint32_t j, char *b, size_t n)
{
	if (j < BUSY6)
		snprintf(b, n, "10.0.0.7");
	else
		snprintf(b, n, "10.2.%u.%u", (j >> 8) & 255, j & 255);
}

static void many_v6(uint32_t j, char *b, size_t n)
{
	char gw[32];
	many_gw(j, gw, sizeof gw);
	struct addr g;
	addr_parse(gw, &g);
	char t[64];
	snprintf(t, sizeof t, "2002:%02x%02x:%02x%02x:%x:%x::1", g.b[0], g.b[1], g.b[2], g.b[3],
		 j >> 16, j & 0xffff);
	struct addr a;
	addr_parse(t, &a);
	addr_format(&a, b);   /* as the store writes it */
	(void)n;
}

static int many_sources(void *ctx, store_source_fn fn, void *arg)
{
	(void)ctx;
	char a[64], gw[32];
	for (uint32_t i = 0; i < MANY4 + MANY6; i++) {
		int rc;
		if (i < MANY4) {
			many_v4(i, a, sizeof a);
			rc = fn(a, NULL, NULL, arg);
		} else {
			many_v6(i - MANY4, a, sizeof a);
			many_gw(i - MANY4, gw, sizeof gw);
			rc = fn(a, "6to4", gw, arg);
		}
		if (rc)
			return rc;
	}
	return 0;
}

static int collect_rows(int n, const char *const *names, const char *const *v, void *arg)
{
	(void)names;
	char *out = arg;
	size_t len = strlen(out);
	for (int i = 0; i < n; i++)
		len += (size_t)snprintf(out + len, 256, "%s%s", i ? "|" : "", v[i] ? v[i] : "");
	out[len++] = '\n';
	out[len] = '\0';
	return 0;
}

/* enrich_run over 89k hosts (many look-up chunks, one gateway wanted by
 * 70k of them): every host's row as the tables and the PTR file give it,
 * its gateway's AS and name for the 6to4 ones */
static void test_enrich_many(void **state)
{
	(void)state;
	char dir[] = "/tmp/test_enrich_many.XXXXXX";
	assert_non_null(mkdtemp(dir));
	char asn[128], ptr[128], db[128];
	snprintf(asn, sizeof asn, "%s/t.pfx2as", dir);
	snprintf(ptr, sizeof ptr, "%s/ptr.txt", dir);
	snprintf(db, sizeof db, "%s/s.db", dir);
	FILE *f = fopen(asn, "w");
	assert_non_null(f);
	fprintf(f, "10.0.0.0\t8\t64500\n10.1.0.0\t16\t64501\n2002::\t16\t64999\n");
	fclose(f);
	/* names: IPv4 hosts but every third, the busy gateway, every 4th
	 * single gateway, every 5th 6to4 host */
	f = fopen(ptr, "w");
	assert_non_null(f);
	char a[64];
	for (uint32_t i = 0; i < MANY4; i++)
		if (i % 3) {
			many_v4(i, a, sizeof a);
			fprintf(f, "%s v4-%u.example.net\n", a, i);
		}
	for (uint32_t j = BUSY6; j < MANY6; j += 4) {
		many_gw(j, a, sizeof a);
		fprintf(f, "%s gw-%u.example.com\n", a, j);
	}
	for (uint32_t j = 0; j < MANY6; j += 5) {
		many_v6(j, a, sizeof a);
		fprintf(f, "%s six-%u.example.org\n", a, j);
	}
	fclose(f);
	struct store *st = store_open(db, true);
	assert_non_null(st);
	struct store_run run = { "test", "test", "{}" };
	assert_int_equal(store_run_begin(st, &run), 0);
	struct enrich_opts o;
	enrich_opts_default(&o);
	const char *asn_files[] = { asn }, *ptr_files[] = { ptr };
	o.asn_files = asn_files;
	o.nasn = 1;
	o.ptr_files = ptr_files;
	o.nptr = 1;
	struct enrich_stats s;
	assert_int_equal(enrich_run(&o, st, many_sources, NULL, &s), 0);
	assert_int_equal(s.hosts, MANY4 + MANY6);
	assert_int_equal(s.with_asn, MANY4 + MANY6);
	/* distinct addresses named by the file: IPv4 hosts, single gateways,
	 * 6to4 hosts (the busy gateway, 10.0.0.7, is IPv4 host 7: named) */
	assert_int_equal(s.ptr_file, MANY4 - (MANY4 + 2) / 3 + (MANY6 - BUSY6) / 4 + MANY6 / 5);
	assert_int_equal(s.with_ptr, MANY4 - (MANY4 + 2) / 3 + MANY6 / 5);
	char *got = malloc((MANY4 + MANY6) * 160);
	assert_non_null(got);
	got[0] = '\n';   /* every row between two newlines */
	got[1] = '\0';
	assert_int_equal(store_query(st, "SELECT addr, asn, ptr, match_asn, match_ptr, match_domain"
				     " FROM enrich WHERE sensor = 'test'", NULL, 0, collect_rows, got), 0);
	assert_int_equal(store_run_end(st), 0);
	store_close(st);
	/* each host's row, looked for in what the store gave */
	char want[256], gw[32];
	size_t rows = 0;
	for (const char *p = got + 1; *p; p++)
		rows += *p == '\n';
	assert_int_equal(rows, MANY4 + MANY6);
	for (uint32_t i = 0; i < MANY4 + MANY6; i += i < MANY4 ? 7 : 13) {
		if (i < MANY4) {
			many_v4(i, a, sizeof a);
			const char *as = i < 4500 ? "64500" : "64501";
			if (i % 3)
				snprintf(want, sizeof want, "\n%s|%s|v4-%u.example.net|%s|v4-%u.example.net|example.net\n",
					 a, as, i, as, i);
			else
				snprintf(want, sizeof want, "\n%s|%s||%s||\n", a, as, as);
		} else {
			uint32_t j = i - MANY4;
			many_v6(j, a, sizeof a);
			many_gw(j, gw, sizeof gw);
			char own[64] = "", m[64] = "", dom[32] = "";
			if (j % 5 == 0) {
				snprintf(own, sizeof own, "six-%u.example.org", j);
				snprintf(m, sizeof m, "%s", own);
				snprintf(dom, sizeof dom, "example.org");
			} else if (j < BUSY6) {
				snprintf(m, sizeof m, "v4-7.example.net");   /* 10.0.0.7 */
				snprintf(dom, sizeof dom, "example.net");
			} else if (j % 4 == BUSY6 % 4) {
				snprintf(m, sizeof m, "gw-%u.example.com", j);
				snprintf(dom, sizeof dom, "example.com");
			}
			snprintf(want, sizeof want, "\n%s|64999|%s|64500|%s|%s\n", a, own, m, dom);
		}
		if (!strstr(got, want))
			fail_msg("no row %s", want + 1);
	}
	free(got);
	unlink(asn);
	unlink(ptr);
	unlink(db);
	rmdir(dir);
}

struct tally {
	int ok, absent, fail;
};

static void count(size_t i, const struct dns_answer *a, void *arg)
{
	(void)i;
	struct tally *t = arg;
	if (a->status == DNS_OK)
		t->ok++;
	else if (a->status == DNS_ABSENT)
		t->absent++;
	else
		t->fail++;
}

static double mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* silent_server - a UDP socket on loopback that never answers; its
 * "127.0.0.1:PORT" into server */
static int silent_server(char *server, size_t n)
{
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in sin = { .sin_family = AF_INET };
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(s, (struct sockaddr *)&sin, sizeof sin), 0);
	socklen_t sl = sizeof sin;
	assert_int_equal(getsockname(s, (struct sockaddr *)&sin, &sl), 0);
	snprintf(server, n, "127.0.0.1:%u", ntohs(sin.sin_port));
	return s;
}

/* a UDP socket that never answers: every query times out */
static void test_dns_timeout(void **state)
{
	(void)state;
	char server[64];
	int s = silent_server(server, sizeof server);
	struct dns_opts o;
	dns_opts_default(&o);
	o.server = server;
	o.timeout_ms = 100;
	o.tries = 2;
	o.concurrency = 3;
	o.rate = 0;
	const char *names[] = { "1.2.0.192.in-addr.arpa", "2.2.0.192.in-addr.arpa",
				"3.2.0.192.in-addr.arpa", "4.2.0.192.in-addr.arpa",
				"5.2.0.192.in-addr.arpa" };
	struct tally t = { 0 };
	double t0 = mono();
	assert_int_equal(dns_resolve(&o, DNS_PTR, names, 5, count, &t), 0);
	double el = mono() - t0;
	assert_int_equal(t.fail, 5);
	assert_int_equal(t.ok + t.absent, 0);
	/* two waves of at most 3, each two tries of >= 100 ms; bounded */
	assert_true(el >= 0.35);
	assert_true(el < 5.0);
	close(s);

	/* a bad server is reported, not asked */
	o.server = "not an address";
	assert_int_equal(dns_resolve(&o, DNS_PTR, names, 1, count, &t), -1);
}

/* the rate bound: 6 queries at 10/s take about half a second */
static void test_dns_rate(void **state)
{
	(void)state;
	char server[64];
	int s = silent_server(server, sizeof server);
	struct dns_opts o;
	dns_opts_default(&o);
	o.server = server;
	o.timeout_ms = 50;
	o.tries = 1;
	o.rate = 10;
	const char *names[] = { "a.test", "b.test", "c.test", "d.test", "e.test", "f.test" };
	struct tally t = { 0 };
	double t0 = mono();
	assert_int_equal(dns_resolve(&o, DNS_TXT, names, 6, count, &t), 0);
	double el = mono() - t0;
	assert_int_equal(t.fail, 6);
	assert_true(el >= 0.45);
	close(s);
}

static int one_row(int n, const char *const *names, const char *const *vals, void *arg)
{
	(void)names;
	char *out = arg;
	size_t o = 0;
	for (int i = 0; i < n; i++)
		o += (size_t)snprintf(out + o, 512 - o, "%s%s", i ? "|" : "", vals[i] ? vals[i] : "NULL");
	return 0;
}

static struct attempt mk(uint64_t id, const char *src, int64_t first)
{
	struct attempt a;
	memset(&a, 0, sizeof a);
	a.id = id;
	addr_parse(src, &a.src);
	addr_parse(a.src.family == 4 ? "192.0.2.25" : "2001:db8:25::25", &a.dst);
	a.sport = 40000;
	a.dport = 25;
	a.first_ns = a.last_ns = first;
	a.syns = 1;
	a.wscale = -1;
	return a;
}

static int count_source(const char *addr, const char *emb_kind, const char *emb4, void *arg)
{
	assert_non_null(addr);
	assert_null(emb_kind);
	assert_null(emb4);
	(*(int *)arg)++;
	return 0;
}

/* test_store - the caches and the scoring, in a new SQLite file or in the
 * store MX_TEST_STORE names (tests/integration/pg_sensors.sh: PostgreSQL;
 * its caches are emptied first, its sensor "test" is replaced) */
static void test_store(void **state)
{
	(void)state;
	char path[] = "/tmp/test_enrich_db.XXXXXX";
	const char *loc = getenv("MX_TEST_STORE");
	if (!loc) {
		int fd = mkstemp(path);
		close(fd);
	}
	struct store *st = store_open(loc ? loc : path, true);
	assert_non_null(st);
	char row[512] = "";
	if (loc) {
		assert_int_equal(store_query(st, "DELETE FROM ptr_cache", NULL, 0, NULL, NULL), 0);
		assert_int_equal(store_query(st, "DELETE FROM asn_cache", NULL, 0, NULL, NULL), 0);
	}
	assert_int_equal(store_query(st, "SELECT value FROM meta WHERE key = 'schema_version'",
				     NULL, 0, one_row, row), 0);
	assert_true(atoi(row) >= 4);   /* the enrichment tables came with 4 */

	struct store_run run = { "test", "test", "{}" };
	assert_int_equal(store_run_begin(st, &run), 0);
	/* caches: positive, negative, age */
	struct store_cache_row r;
	assert_int_equal(store_cache_get(st, "ptr", "192.0.2.1", 0, &r), 0);
	assert_int_equal(store_cache_put(st, "ptr", "192.0.2.1", "mail.example.com", NULL, true,
					 "dns", 1000), 0);
	assert_int_equal(store_cache_put(st, "ptr", "192.0.2.2", NULL, NULL, false, "dns", 1000), 0);
	assert_int_equal(store_cache_get(st, "ptr", "192.0.2.1", 0, &r), 1);
	assert_true(r.ok);
	assert_string_equal(r.text, "mail.example.com");
	assert_int_equal(store_cache_get(st, "ptr", "192.0.2.2", 0, &r), 1);
	assert_false(r.ok);
	assert_int_equal(store_cache_get(st, "ptr", "192.0.2.1", 1001, &r), 0);  /* too old */
	assert_int_equal(store_cache_put(st, "asn", "192.0.2.1", "64500", "TEST-NET", true, NULL, 5), 0);
	assert_int_equal(store_cache_get(st, "asn", "192.0.2.1", 0, &r), 1);
	assert_string_equal(r.text, "64500");
	assert_string_equal(r.name, "TEST-NET");

	/* two IPv6 attempts, two IPv4 candidates each */
	struct assoc_params ap;
	assoc_params_default(&ap);
	char err[128];
	struct decider *d = decider_new(&ap, err, sizeof err);
	assert_non_null(d);
	const char *h[] = { "2001:db8::1", "2001:db8::2", "192.0.2.1", "192.0.2.2" };
	struct attempt v[4];
	for (int i = 0; i < 4; i++) {
		v[i] = mk((uint64_t)i + 1, h[i], i);
		assert_int_equal(decider_attempt(d, &v[i]), 0);
	}
	for (int i = 0; i < 2; i++)
		for (int j = 0; j < 2; j++) {
			struct assoc_cand c = { .a6 = (uint64_t)i + 1, .a4 = (uint64_t)j + 3 };
			c.ev[EV_STACK] = 15;
			c.ev[EV_PTR] = 99;     /* stale: replaced */
			c.score = 15 + 99;
			assert_int_equal(decider_cand(d, &c, &v[i], &v[j + 2]), 0);
		}
	int seen = 0;
	assert_int_equal(decider_each_source(d, count_source, &seen), 0);
	assert_int_equal(seen, 4);
	struct store_enrich e[] = {
		{ .addr = h[0], .asn = 64500, .ptr = "a.mail.example.co.uk", .ptr_domain = "example.co.uk",
		  .match_asn = 64500, .match_ptr = "a.mail.example.co.uk", .match_domain = "example.co.uk" },
		{ .addr = h[1], .asn = 64501, .ptr = "mx.other.net", .ptr_domain = "other.net",
		  .match_asn = 64501, .match_ptr = "mx.other.net", .match_domain = "other.net" },
		{ .addr = h[2], .asn = 64500, .as_name = "TEST-NET", .ptr = "b.example.co.uk",
		  .ptr_domain = "example.co.uk", .match_asn = 64500, .match_ptr = "b.example.co.uk",
		  .match_domain = "example.co.uk" },
		{ .addr = h[3], .asn = 64501, .ptr = "mx.other.net", .ptr_domain = "other.net",
		  .match_asn = 64501, .match_ptr = "mx.other.net", .match_domain = "other.net" },
	};
	for (int i = 0; i < 4; i++)
		assert_int_equal(store_set_enrich(st, &e[i]), 0);
	/* the decision stage scores the candidates from the enrichment */
	struct decide_enrich_points pts = { 10, 20, 7 };
	struct decide_stats ds;
	assert_int_equal(decider_enrich(d, st, &pts), 0);
	assert_int_equal(decider_run(d, st, &ds), 0);
	assert_int_equal(ds.candidates, 4);
	struct decide_host_stats hs;
	assert_int_equal(decider_hosts(d, st, 0, &hs), 0);
	decider_free(d);
	assert_int_equal(store_run_end(st), 0);
	const char *want[] = {
		"1|3|10|7|32",     /* same AS, same registered domain */
		"1|4|0|0|15",
		"2|3|0|0|15",
		"2|4|10|20|45",    /* same AS, same name */
	};
	for (int k = 0; k < 4; k++) {
		char a6[4], a4[4];
		snprintf(a6, sizeof a6, "%c", want[k][0]);
		snprintf(a4, sizeof a4, "%c", want[k][2]);
		const char *params[] = { a6, a4 };
		assert_int_equal(store_query(st, "SELECT a6, a4, ev_asn, ev_ptr, score FROM candidates"
					     " WHERE sensor = 'test' AND a6 = ? AND a4 = ?", params, 2,
					     one_row, row), 0);
		assert_string_equal(row, want[k]);
	}
	/* the decisions read total: enrichment points count there too */
	assert_int_equal(store_query(st, "SELECT COUNT(*) FROM candidates WHERE sensor = 'test'"
				     " AND total <> score + ev_host", NULL, 0, one_row, row), 0);
	assert_string_equal(row, "0");
	assert_int_equal(store_query(st, "SELECT asn, as_name, ptr, ptr_domain FROM hosts"
				     " WHERE sensor = 'test' AND addr = '192.0.2.1'", NULL, 0, one_row, row), 0);
	assert_string_equal(row, "64500|TEST-NET|b.example.co.uk|example.co.uk");
	/* the caches outlive the run; the per-run enrichment does not */
	assert_int_equal(store_run_begin(st, &run), 0);
	assert_int_equal(store_cache_get(st, "ptr", "192.0.2.1", 0, &r), 1);
	assert_int_equal(store_query(st, "SELECT COUNT(*) FROM enrich WHERE sensor = 'test'", NULL, 0, one_row, row), 0);
	assert_string_equal(row, "0");
	store_close(st);
	if (loc)
		return;
	unlink(path);
	char wal[64];
	snprintf(wal, sizeof wal, "%s-wal", path);
	unlink(wal);
	snprintf(wal, sizeof wal, "%s-shm", path);
	unlink(wal);
}

/* test_enrich_scores: 300 IPv6 hosts, 2 attempts each, each meeting 3 of
 * 120 IPv4 hosts (an IPv4 host meets IPv6 hosts of many partitions); the
 * hosts' match keys below; every candidate's ASN and PTR points as the
 * pair's keys give them, under two hash seeds (which put the hosts in
 * other partitions) */
enum { SC6 = 300, SC4 = 120 };

static void sc_keys(int v6, int h, uint32_t *asn, char *ptr, char *dom)
{
	int none_asn = v6 ? h % 11 == 0 : h % 13 == 0;
	*asn = none_asn ? 0 : 64500 + (uint32_t)(h % 5);
	ptr[0] = dom[0] = '\0';
	if (v6 ? h % 7 == 0 : h % 6 == 0)
		return;   /* no name */
	snprintf(ptr, 64, "n%d.x%d.net", h % 9, h % 4);
	snprintf(dom, 64, "x%d.net", h % 4);
}

static int sc_row(int n, const char *const *names, const char *const *v, void *arg)
{
	(void)names;
	int *bad = arg;
	assert_int_equal(n, 4);
	int h = (atoi(v[0]) - 1) / 10, g = atoi(v[1]) % 1000, ea = atoi(v[2]), ep = atoi(v[3]);
	uint32_t x6, x4;
	char p6[64], d6[64], p4[64], d4[64];
	sc_keys(1, h, &x6, p6, d6);
	sc_keys(0, g, &x4, p4, d4);
	int want_a = x6 && x6 == x4 ? 10 : 0;
	int want_p = p6[0] && !strcmp(p6, p4) ? 20 : d6[0] && !strcmp(d6, d4) ? 7 : 0;
	if (ea != want_a || ep != want_p) {
		print_error("host %d / %d: ev_asn %d ev_ptr %d, want %d %d\n", h, g, ea, ep, want_a,
			    want_p);
		(*bad)++;
	}
	bad[1]++;
	bad[2] += want_a + want_p > 0;
	return 0;
}

static void enrich_scores_with(uint64_t seed, uint32_t pair_budget)
{
	hash_seed_fixed(seed);
	char path[] = "/tmp/test_enrich_sc.XXXXXX";
	int fd = mkstemp(path);
	close(fd);
	struct store *st = store_open(path, true);
	assert_non_null(st);
	struct store_run run = { "test", "test", "{}" };
	assert_int_equal(store_run_begin(st, &run), 0);
	struct assoc_params ap;
	assoc_params_default(&ap);
	char err[128];
	struct decider *d = decider_new(&ap, err, sizeof err);
	assert_non_null(d);
	decider_pair_budget(d, pair_budget);
	char a6[64], a4[64];
	/* attempt ids: IPv6 host h's attempt k is 10 h + k + 1; the IPv4 attempt
	 * of its candidate to host g is 1000000 + 1000 (10 h + k + 1) + g */
	for (int h = 0; h < SC6; h++) {
		snprintf(a6, sizeof a6, "2001:db8:%x::1", h + 1);
		for (int k = 0; k < 2; k++) {
			int64_t t = ((int64_t)h * 10 + k) * 1000000000;
			uint64_t id6 = (uint64_t)(10 * h + k + 1);
			struct attempt v6 = mk(id6, a6, t);
			assert_int_equal(decider_attempt(d, &v6), 0);
			for (int j = 0; j < 3; j++) {
				int g = (h * 7 + j * 13 + k * 29) % SC4;
				snprintf(a4, sizeof a4, "10.9.%d.%d", g / 100, g % 100);
				struct attempt v4 = mk(1000000 + 1000 * id6 + (uint64_t)g, a4, t + 1000);
				assert_int_equal(decider_attempt(d, &v4), 0);
				struct assoc_cand c = { .a6 = v6.id, .a4 = v4.id, .score = 15 };
				c.ev[EV_STACK] = 15;
				assert_int_equal(decider_cand(d, &c, &v6, &v4), 0);
			}
		}
	}
	for (int v6 = 0; v6 < 2; v6++)
		for (int h = 0; h < (v6 ? SC6 : SC4); h++) {
			char ptr[64], dom[64];
			uint32_t asn;
			sc_keys(v6, h, &asn, ptr, dom);
			if (v6)
				snprintf(a6, sizeof a6, "2001:db8:%x::1", h + 1);
			else
				snprintf(a6, sizeof a6, "10.9.%d.%d", h / 100, h % 100);
			struct store_enrich e = { .addr = a6, .asn = asn, .match_asn = asn,
						  .ptr = ptr, .match_ptr = ptr, .match_domain = dom };
			assert_int_equal(store_set_enrich(st, &e), 0);
		}
	struct decide_enrich_points pts = { 10, 20, 7 };
	struct decide_stats ds;
	struct decide_host_stats hs;
	assert_int_equal(decider_enrich(d, st, &pts), 0);
	assert_int_equal(decider_run(d, st, &ds), 0);
	assert_int_equal(decider_hosts(d, st, 0, &hs), 0);
	decider_free(d);
	assert_int_equal(store_run_end(st), 0);
	int bad[3] = { 0, 0, 0 };   /* wrong, rows, rows with points */
	assert_int_equal(store_query(st, "SELECT a6, a4 - 1000000 - 1000 * a6, ev_asn, ev_ptr"
				     " FROM candidates", NULL, 0, sc_row, bad), 0);
	store_close(st);
	unlink(path);
	assert_int_equal(bad[0], 0);
	assert_int_equal(bad[1], SC6 * 2 * 3);
	assert_true(bad[2] > SC6 && bad[2] < SC6 * 6);
}

static void test_enrich_scores(void **state)
{
	(void)state;
	enrich_scores_with(1, 0);
	enrich_scores_with(0x9e3779b97f4a7c15ULL, 0);
	/* the host pairs counted in slices of a partition (about one meeting
	 * each): an IPv4 host's keys still reach every partition it met */
	enrich_scores_with(1, 1);
	hash_seed_init();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_registered_domain),
		cmocka_unit_test(test_reverse_name),
		cmocka_unit_test(test_ptr_file_many),
		cmocka_unit_test(test_enrich_many),
		cmocka_unit_test(test_ptr_file),
		cmocka_unit_test(test_dns_timeout),
		cmocka_unit_test(test_dns_rate),
		cmocka_unit_test(test_store),
		cmocka_unit_test(test_enrich_scores),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
