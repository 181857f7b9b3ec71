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
	addr_parse("2001:db8::1", &a);
	assert_string_equal(ptr_map_get(m, &a), "mail.example.com");
	addr_parse("192.0.2.2", &a);
	assert_null(ptr_map_get(m, &a));
	ptr_map_free(m);
	const char *missing[] = { "/nonexistent/ptr.txt" };
	assert_null(ptr_map_load(missing, 1, &bad));
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_registered_domain),
		cmocka_unit_test(test_reverse_name),
		cmocka_unit_test(test_ptr_file),
		cmocka_unit_test(test_dns_timeout),
		cmocka_unit_test(test_dns_rate),
		cmocka_unit_test(test_store),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
