/* test_report.c - report/: ISO weeks, bins, row names, tables, and the
 * aggregation of a small hand-made store (prefixes, counterparts, flags). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "report/report.h"
#include "store/store.h"

static void test_iso_week_against_strftime(void **state)
{
	(void)state;
	/* glibc's %G-W%V is the oracle, every day from 1970 to 2100 */
	for (int64_t day = 0; day < 47482; day++) {
		time_t t = (time_t)(day * 86400);
		struct tm tm;
		char want[16], got[16];
		gmtime_r(&t, &tm);
		strftime(want, sizeof want, "%G-W%V", &tm);
		int y, w;
		int64_t monday = report_iso_week(day, &y, &w);
		snprintf(got, sizeof got, "%04d-W%02d", y, w);
		assert_string_equal(got, want);
		assert_true(monday <= day && day - monday < 7);
		time_t m = (time_t)(monday * 86400);
		gmtime_r(&m, &tm);
		assert_int_equal(tm.tm_wday, 1);
	}
	int y, w;
	/* 2025-12-29 (a Monday) is 2026-W01; 2021-01-03 is 2020-W53 */
	report_iso_week(20451, &y, &w);
	assert_int_equal(y, 2026);
	assert_int_equal(w, 1);
	report_iso_week(18630, &y, &w);
	assert_int_equal(y, 2020);
	assert_int_equal(w, 53);
}

static void test_port_buckets(void **state)
{
	(void)state;
	char name[32];
	/* every distance lies inside the range its bin's name gives */
	for (int64_t d = -65535; d <= 65535; d++) {
		int b = report_port_bucket(d);
		assert_true(b >= 0 && b < REPORT_PORT_BUCKETS);
		report_port_bucket_name(b, name, sizeof name);
		unsigned long lo, hi;
		int64_t a = d < 0 ? -d : d;
		if (strchr(name, '-')) {
			assert_int_equal(sscanf(name, "%lu-%lu", &lo, &hi), 2);
		} else if (strchr(name, '+')) {
			assert_int_equal(sscanf(name, "%lu+", &lo), 1);
			hi = 65535;
		} else {
			assert_int_equal(sscanf(name, "%lu", &lo), 1);
			hi = lo;
		}
		assert_true((unsigned long)a >= lo && (unsigned long)a <= hi);
		if (d > 0)
			assert_true(report_port_bucket(d - 1) <= b);
	}
	assert_int_equal(report_port_bucket(0), 0);
	assert_int_equal(report_port_bucket(1), 1);
	assert_int_equal(report_port_bucket(-1), 1);
	assert_int_equal(report_port_bucket(4), 3);
	assert_int_equal(report_port_bucket(5), 4);
	assert_int_equal(report_port_bucket(8), 4);
	assert_int_equal(report_port_bucket(9), 5);
	assert_string_equal(report_port_bucket_name(4, name, sizeof name), "5-8");
	assert_int_equal(report_port_bucket(INT64_MIN + 1), REPORT_PORT_BUCKETS - 1);
}

static void test_gap_buckets(void **state)
{
	(void)state;
	assert_int_equal(report_gap_bucket(-1), 0);
	assert_int_equal(report_gap_bucket(0), 1);
	assert_int_equal(report_gap_bucket(999999), 1);
	assert_int_equal(report_gap_bucket(1000000), 2);
	assert_int_equal(report_gap_bucket(99999999), 3);
	assert_int_equal(report_gap_bucket(100000000), 4);
	assert_int_equal(report_gap_bucket(999999999), 4);
	assert_int_equal(report_gap_bucket(1000000000), 5);
	assert_int_equal(report_gap_bucket(9999999999), 5);
	assert_int_equal(report_gap_bucket(10000000000), 6);
	assert_int_equal(report_gap_bucket(INT64_MAX), 6);
	assert_string_equal(report_gap_bucket_names[report_gap_bucket(5000000)], "1-10 ms");
}

static void test_row_names(void **state)
{
	(void)state;
	assert_string_equal(report_addr_kind("6to4", "embedded-ipv4-32", "6to4"), "6to4");
	assert_string_equal(report_addr_kind("6to4", "randomized", NULL), "6to4");
	assert_string_equal(report_addr_kind("teredo", "teredo", "teredo"), "Teredo");
	assert_string_equal(report_addr_kind("global", "isatap", "isatap"), "ISATAP");
	assert_string_equal(report_addr_kind("nat64", "randomized", "nat64"), "NAT64");
	assert_string_equal(report_addr_kind("global", "ieee-derived", NULL), "EUI-64");
	assert_string_equal(report_addr_kind("global", "embedded-ipv4-64", NULL), "embedded IPv4");
	assert_string_equal(report_addr_kind("global", "embedded-ipv4-32", "iid"), "embedded IPv4");
	assert_string_equal(report_addr_kind("global", "randomized", NULL), "other");
	assert_string_equal(report_addr_kind(NULL, NULL, NULL), "other");
	assert_string_equal(report_os_row(NULL), "Unknown");
	assert_string_equal(report_os_row(""), "Unknown");
	assert_string_equal(report_os_row("Windows"), "Windows");
	assert_string_equal(report_os_row("Mac OS X"), "Mac OS X");
	assert_string_equal(report_os_row("Solaris"), "Other");
	char b[32];
	assert_string_equal(report_duration(59999999999, b, sizeof b), "59s");
	assert_string_equal(report_duration(INT64_C(3600000000000), b, sizeof b), "1h00m");
	assert_string_equal(report_duration(INT64_C(1209600) * 1000000000, b, sizeof b), "14d00h");
}

static void test_time_parse(void **state)
{
	(void)state;
	int64_t ns = 0;
	bool d = false;
	assert_int_equal(report_time_parse("2026-01-01", &ns, &d), 0);
	assert_true(d);
	assert_int_equal(ns, INT64_C(1767225600) * 1000000000);
	assert_int_equal(report_time_parse("2026-01-01T10:30:05Z", &ns, &d), 0);
	assert_false(d);
	assert_int_equal(ns, INT64_C(1767263405) * 1000000000);
	assert_int_equal(report_time_parse("2026-01-01 10:30", &ns, &d), 0);
	assert_int_equal(ns, INT64_C(1767263400) * 1000000000);
	assert_int_equal(report_time_parse("yesterday", &ns, &d), -1);
	assert_int_equal(report_time_parse("2026-01-01T", &ns, &d), -1);
	assert_int_equal(report_time_parse("2026-13-01", &ns, &d), -1);
	assert_int_equal(report_time_parse("1969-12-31", &ns, &d), -1);
}

static void test_table_cells(void **state)
{
	(void)state;
	struct rep_table *t = rep_table_new("x", "X");
	int a = rep_col_add(t, "name", "Name", REP_STR);
	int b = rep_col_add(t, "n", "N", REP_INT);
	int c = rep_col_add(t, "p", "%", REP_PCT);
	char buf[32];
	size_t r = rep_row_add(t);
	rep_set_str(t, r, a, "w");
	rep_set_int(t, r, b, 3);
	rep_set_pct(t, r, c, 1, 3);
	assert_string_equal(rep_format(t, r, b, buf, sizeof buf), "3");
	assert_string_equal(rep_format(t, r, c, buf, sizeof buf), "33.3");
	r = rep_row_add(t);
	rep_set_pct(t, r, c, 1, 0);
	assert_true(rep_cell(t, r, c)->null);
	assert_true(rep_cell(t, r, a)->null);
	assert_string_equal(rep_format(t, r, c, buf, sizeof buf), "");
	rep_table_free(t);
}

/* a store with: one /64 of two hosts (one associated with a listed IPv4,
 * one not) inside a /48 with a third host; and a misbehaving /64 with 150
 * attempts 2 s apart and no counterpart */
static void fill_store(const char *path)
{
	struct store *st = store_open(path, true);
	assert_non_null(st);
	store_close(st);
	sqlite3 *db;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	const char *sql =
		"INSERT INTO hosts (sensor, addr, family, addr_type, iid_class, listed, label, os_family) VALUES"
		" ('s1', '2001:db8:1:1::a', 6, 'global', 'randomized', 0, 'associated', 'Windows'),"
		" ('s1', '2001:db8:1:1::b', 6, 'global', 'ieee-derived', 0, 'associated-unlisted', NULL),"
		" ('s1', '2001:db8:1:2::c', 6, '6to4', 'randomized', 0, 'unassociated', 'Linux'),"
		" ('s1', '2001:db8:9:9::1', 6, 'global', 'randomized', 0, 'unassociated', NULL),"
		" ('s1', '192.0.2.1', 4, 'documentation', NULL, 1, 'spammer', 'Windows'),"
		" ('s1', '192.0.2.2', 4, 'documentation', NULL, 0, 'unlisted', NULL);"
		"INSERT INTO attempts (sensor, id, run_id, family, src, sport, dst, dport, first_ns, last_ns,"
		" syns, os_family, partner) VALUES"
		" ('s1', 1, 1, 6, '2001:db8:1:1::a', 5000, 's', 25, 1000000000000, 1000000000000, 3, 'Windows', 2),"
		" ('s1', 2, 1, 4, '192.0.2.1', 5001, 's', 25, 1000500000000, 1000500000000, 3, 'Windows', 1),"
		" ('s1', 3, 1, 6, '2001:db8:1:1::a', 5010, 's', 25, 2000000000000, 2000000000000, 3, 'Windows', NULL),"
		" ('s1', 4, 1, 6, '2001:db8:1:1::b', 6000, 's', 25, 3000000000000, 3000000000000, 1, NULL, 5),"
		" ('s1', 5, 1, 4, '192.0.2.2', 6100, 's', 25, 3000100000000, 3000100000000, 1, NULL, 4),"
		" ('s1', 6, 1, 6, '2001:db8:1:2::c', 7000, 's', 25, 4000000000000, 4000000000000, 1, 'Linux', NULL);"
		"INSERT INTO candidates (sensor, a6, a4, score, gap_ns, port_dist, before, decision) VALUES"
		" ('s1', 1, 2, 90, 500000000, 1, 0, 'associated'), ('s1', 4, 5, 60, 100000000, 100, 0, 'associated');";
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
	for (int i = 0; i < 150; i++) {
		char *q = sqlite3_mprintf("INSERT INTO attempts (sensor, id, run_id, family, src, sport, dst,"
					  " dport, first_ns, last_ns, syns) VALUES ('s1', %d, 1, 6,"
					  " '2001:db8:9:9::1', %d, 's', 25, %lld, %lld, 1)",
					  100 + i, 10000 + i, 5000000000000LL + i * 2000000000LL,
					  5000000000000LL + i * 2000000000LL);
		assert_int_equal(sqlite3_exec(db, q, NULL, NULL, NULL), SQLITE_OK);
		sqlite3_free(q);
	}
	sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	sqlite3_close(db);
}

static const struct rep_val *find(const struct rep_table *t, const char *col0,
				  const char *key)
{
	int k = -1;
	for (int c = 0; c < t->ncols; c++)
		if (!strcmp(t->cols[c].key, key))
			k = c;
	assert_true(k >= 0);
	for (size_t r = 0; r < t->nrows; r++)
		if (rep_cell(t, r, 0)->s && !strcmp(rep_cell(t, r, 0)->s, col0))
			return rep_cell(t, r, k);
	fail_msg("no row %s in %s", col0, t->key);
	return NULL;
}

/* add_rows - run sql on the store at path, then open it for a report */
static struct store *add_rows(const char *path, const char *sql)
{
	sqlite3 *db;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	struct store *st = store_open(path, false);
	assert_non_null(st);
	return st;
}

static void test_build_small_store(void **state)
{
	(void)state;
	char path[] = "/tmp/test_report.XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	unlink(path);
	fill_store(path);
	struct store *st = store_open(path, false);
	assert_non_null(st);
	struct report_filter f;
	report_filter_init(&f);
	struct report *r = report_build(st, &f);
	assert_non_null(r);

	const struct rep_table *t = report_table(r, "families");
	assert_int_equal(find(t, "IPv6", "attempts")->i, 154);
	assert_int_equal(find(t, "IPv6", "hosts")->i, 4);
	assert_int_equal(find(t, "IPv4", "attempts")->i, 2);
	t = report_table(r, "os");
	assert_int_equal(find(t, "Windows", "hosts_associated")->i, 1);
	assert_int_equal(find(t, "Windows", "attempts_associated")->i, 2);
	assert_int_equal(find(t, "Linux", "attempts_unassociated")->i, 1);
	assert_int_equal(find(t, "Unknown", "attempts_unassociated")->i, 151);
	assert_int_equal(find(t, "Total", "attempts_total")->i, 154);
	t = report_table(r, "addr_type");
	assert_int_equal(find(t, "EUI-64", "hosts_unassociated")->i, 1);
	assert_int_equal(find(t, "6to4", "attempts_total")->i, 1);
	assert_int_equal(find(t, "other", "attempts_associated")->i, 2);
	t = report_table(r, "top48");
	assert_int_equal(find(t, "2001:db8:1::/48", "hosts")->i, 3);
	assert_int_equal(find(t, "2001:db8:1::/48", "attempts")->i, 4);
	assert_int_equal(find(t, "2001:db8:1::/48", "ipv4_counterparts")->i, 2);
	assert_true(find(t, "2001:db8:1::/48", "ipv4_listed_pct")->d == 50.0);
	assert_true(find(t, "2001:db8:1::/48", "no_ipv4_pct")->d == 50.0);
	t = report_table(r, "top64");
	assert_int_equal(find(t, "2001:db8:1:1::/64", "hosts")->i, 2);
	assert_int_equal(find(t, "2001:db8:1:1::/64", "attempts")->i, 3);
	assert_int_equal(find(t, "2001:db8:9:9::/64", "attempts")->i, 150);
	assert_string_equal(find(t, "2001:db8:9:9::/64", "misbehaving")->s, "misbehaving");
	assert_string_equal(find(t, "2001:db8:1:1::/64", "misbehaving")->s, "");
	assert_true(find(t, "2001:db8:9:9::/64", "interval_s")->d == 2.0);
	t = report_table(r, "misbehaving");
	assert_int_equal(t->nrows, 1);
	assert_non_null(strstr(find(t, "2001:db8:9:9::/64", "reason")->s, "150 attempts"));
	t = report_table(r, "port_distance");
	assert_int_equal(find(t, "1", "windows")->i, 1);
	assert_int_equal(find(t, "65-128", "unknown")->i, 1);
	t = report_table(r, "gap");
	assert_int_equal(find(t, "0.1-1 s", "ipv6_first")->i, 2);
	t = report_table(r, "weekly");
	assert_int_equal(t->nrows, 1);
	assert_string_equal(rep_cell(t, 0, 0)->s, "1970-W01");
	report_free(r);

	/* filters: IPv4 only, and a time window holding only attempt 1 */
	f.family = 4;
	r = report_build(st, &f);
	assert_int_equal(find(report_table(r, "families"), "Total", "attempts")->i, 2);
	assert_int_equal(report_table(r, "top64")->nrows, 0);
	assert_int_equal(report_keep(r, "nope"), -1);
	report_free(r);
	report_filter_init(&f);
	f.from_ns = 1000000000000;
	f.to_ns = 1000000000001;
	r = report_build(st, &f);
	assert_int_equal(find(report_table(r, "families"), "Total", "attempts")->i, 1);
	assert_int_equal(report_keep(r, "os"), 0);
	assert_int_equal(r->ntables, 1);
	report_free(r);
	store_close(st);

	/* a second sensor that saw one of the same hosts, with its own label
	 * and an attempt id the first sensor uses too */
	st = add_rows(path,
		"INSERT INTO hosts (sensor, addr, family, addr_type, iid_class, listed, label)"
		" VALUES ('s2', '2001:db8:1:1::a', 6, 'global', 'randomized', 0, 'unassociated');"
		"INSERT INTO attempts (sensor, id, run_id, family, src, sport, dst, dport, first_ns,"
		" last_ns, syns) VALUES ('s2', 1, 2, 6, '2001:db8:1:1::a', 5000, 's', 25,"
		" 1000000000000, 1000000000000, 1);");
	report_filter_init(&f);
	r = report_build(st, &f);        /* all sensors */
	t = report_table(r, "families");
	assert_int_equal(find(t, "IPv6", "attempts")->i, 155);
	/* the host counts under each sensor's label of it */
	assert_int_equal(find(t, "IPv6", "hosts")->i, 5);
	t = report_table(r, "os");
	assert_int_equal(find(t, "Windows", "attempts_associated")->i, 2);
	assert_int_equal(find(t, "Unknown", "attempts_unassociated")->i, 152);
	t = report_table(r, "port_distance");
	assert_int_equal(find(t, "1", "windows")->i, 1);
	assert_int_equal(find(t, "1", "unknown")->i, 0);
	t = report_table(r, "labels");
	assert_int_equal(find(t, "IPv6", "hosts")->i, 1);      /* the first row: associated */
	t = report_table(r, "addr_type");
	assert_int_equal(find(t, "other", "hosts_associated")->i, 1);
	/* other, unassociated: 2001:db8:9:9::1 and s2's row of ::a */
	assert_int_equal(find(t, "other", "hosts_unassociated")->i, 2);
	t = report_table(r, "top64");
	assert_int_equal(find(t, "2001:db8:1:1::/64", "hosts")->i, 2);
	assert_int_equal(find(t, "2001:db8:1:1::/64", "attempts")->i, 4);
	report_free(r);
	f.sensor = "s1";
	r = report_build(st, &f);
	assert_int_equal(find(report_table(r, "families"), "IPv6", "attempts")->i, 154);
	assert_int_equal(find(report_table(r, "os"), "Unknown", "attempts_unassociated")->i, 151);
	assert_non_null(strstr(r->filters, "sensor s1"));
	report_free(r);
	f.sensor = "s2";
	r = report_build(st, &f);
	assert_int_equal(find(report_table(r, "families"), "IPv6", "attempts")->i, 1);
	assert_int_equal(find(report_table(r, "families"), "IPv4", "attempts")->i, 0);
	assert_int_equal(find(report_table(r, "os"), "Unknown", "attempts_unassociated")->i, 1);
	assert_int_equal(report_table(r, "port_distance")->nrows > 0 ?
			 find(report_table(r, "port_distance"), "1", "windows")->i : 0, 0);
	report_free(r);
	store_close(st);

	/* a third sensor whose logs do not list the IPv4 counterpart that
	 * s1's list: the counterpart counts as listed, in whichever order the
	 * rows come (these come first: rowids below s1's) */
	st = add_rows(path,
		"INSERT INTO hosts (sensor, addr, family, addr_type, iid_class, listed, label) VALUES"
		" ('s3', '2001:db8:1:1::a', 6, 'global', 'randomized', 0, 'associated-unlisted'),"
		" ('s3', '192.0.2.1', 4, 'documentation', NULL, 0, 'unlisted');"
		"INSERT INTO attempts (rowid, sensor, id, run_id, family, src, sport, dst, dport,"
		" first_ns, last_ns, syns, partner) VALUES"
		" (-2, 's3', 1, 3, 6, '2001:db8:1:1::a', 5000, 's', 25, 900000000000, 900000000000, 1, 2),"
		" (-1, 's3', 2, 3, 4, '192.0.2.1', 5001, 's', 25, 900100000000, 900100000000, 1, 1);");
	report_filter_init(&f);
	r = report_build(st, &f);
	t = report_table(r, "top48");
	assert_int_equal(find(t, "2001:db8:1::/48", "attempts")->i, 6);
	assert_int_equal(find(t, "2001:db8:1::/48", "ipv4_counterparts")->i, 2);
	assert_true(find(t, "2001:db8:1::/48", "ipv4_listed_pct")->d == 50.0);
	t = report_table(r, "families");
	assert_int_equal(find(t, "IPv4", "hosts")->i, 3);      /* 192.0.2.1 under two labels */
	t = report_table(r, "labels");
	assert_int_equal(find(t, "IPv4", "hosts")->i, 1);      /* spammer: s1's row */
	report_free(r);
	f.sensor = "s3";
	r = report_build(st, &f);
	t = report_table(r, "top48");
	assert_true(find(t, "2001:db8:1::/48", "ipv4_listed_pct")->d == 0.0);
	report_free(r);
	store_close(st);

	/* attempt ids far from 1, 2, ... (and one below 0): the partner and
	 * the associated candidate are still found */
	st = add_rows(path,
		"INSERT INTO hosts (sensor, addr, family, addr_type, iid_class, listed, label) VALUES"
		" ('s4', '2001:db8:4::1', 6, 'global', 'randomized', 0, 'associated'),"
		" ('s4', '192.0.2.9', 4, 'documentation', NULL, 1, 'spammer');"
		"INSERT INTO attempts (sensor, id, run_id, family, src, sport, dst, dport, first_ns,"
		" last_ns, syns, os_family, partner) VALUES"
		" ('s4', 1000000000000, 4, 6, '2001:db8:4::1', 7000, 's', 25, 800000000000,"
		" 800000000000, 3, 'Windows', 1000000000001),"
		" ('s4', 1000000000001, 4, 4, '192.0.2.9', 7001, 's', 25, 800100000000,"
		" 800100000000, 3, 'Windows', 1000000000000),"
		" ('s4', -5, 4, 6, '2001:db8:4::1', 7002, 's', 25, 800200000000, 800200000000, 1,"
		" NULL, NULL);"
		"INSERT INTO candidates (sensor, a6, a4, score, gap_ns, port_dist, before, decision)"
		" VALUES ('s4', 1000000000000, 1000000000001, 90, 500000000, 1, 0, 'associated'),"
		" ('s4', -5, 1000000000001, 10, 100000000, 300, 0, 'lost');");
	report_filter_init(&f);
	f.sensor = "s4";
	r = report_build(st, &f);
	t = report_table(r, "top48");
	assert_int_equal(find(t, "2001:db8:4::/48", "attempts")->i, 2);
	assert_int_equal(find(t, "2001:db8:4::/48", "ipv4_counterparts")->i, 1);
	assert_true(find(t, "2001:db8:4::/48", "ipv4_listed_pct")->d == 100.0);
	assert_true(find(t, "2001:db8:4::/48", "no_ipv4_pct")->d == 50.0);
	t = report_table(r, "port_distance");
	assert_int_equal(find(t, "1", "windows")->i, 1);
	assert_int_equal(find(report_table(r, "gap"), "0.1-1 s", "pairs")->i, 1);
	report_free(r);
	store_close(st);

	/* sources that are no addresses (a store edited by hand): each text
	 * its own host, none in the prefix tables */
	st = add_rows(path,
		"INSERT INTO hosts (sensor, addr, family, addr_type, iid_class, listed, label) VALUES"
		" ('s5', 'bogus-a', 6, 'global', 'randomized', 0, 'unassociated'),"
		" ('s5', 'bogus-b', 6, 'global', 'randomized', 0, 'unassociated'),"
		" ('s5', '2001:db8:5::1', 6, 'global', 'randomized', 0, 'unassociated');"
		"INSERT INTO attempts (sensor, id, run_id, family, src, sport, dst, dport, first_ns,"
		" last_ns, syns) VALUES"
		" ('s5', 1, 5, 6, 'bogus-a', 1, 's', 25, 700000000000, 700000000000, 1),"
		" ('s5', 2, 5, 6, 'bogus-b', 1, 's', 25, 700000000001, 700000000001, 1),"
		" ('s5', 3, 5, 6, 'bogus-b', 2, 's', 25, 700000000002, 700000000002, 1),"
		" ('s5', 4, 5, 6, '2001:db8:5::1', 1, 's', 25, 700000000003, 700000000003, 1);");
	report_filter_init(&f);
	f.sensor = "s5";
	r = report_build(st, &f);
	t = report_table(r, "families");
	assert_int_equal(find(t, "IPv6", "hosts")->i, 3);
	assert_int_equal(find(t, "IPv6", "attempts")->i, 4);
	t = report_table(r, "top64");
	assert_int_equal(t->nrows, 1);
	assert_int_equal(find(t, "2001:db8:5::/64", "attempts")->i, 1);
	report_free(r);
	store_close(st);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_iso_week_against_strftime),
		cmocka_unit_test(test_port_buckets),
		cmocka_unit_test(test_gap_buckets),
		cmocka_unit_test(test_row_names),
		cmocka_unit_test(test_time_parse),
		cmocka_unit_test(test_table_cells),
		cmocka_unit_test(test_build_small_store),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
